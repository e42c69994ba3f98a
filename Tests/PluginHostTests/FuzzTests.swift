import AgentCore
import Foundation
import PluginHost
import TestSupport
import XCTest

/// Fuzzing the two parsers that read plugin-controlled input: manifests and JSON-RPC framing.
final class FuzzTests: XCTestCase {
    /// Mutated manifests (dropped, retyped and renamed fields; truncated text) never crash the parser:
    /// each is either a valid manifest or a `PluginHostError`.
    func testMutatedManifestsParseOrFailCleanly() throws {
        var random = SeededGenerator(seed: 42)
        let base = Probe.manifest(sandbox: ["filesystem": ["read_only": ["/opt"], "temp": true]], tools: ["echo"])
        let replacements: [JSONValue] = [.null, true, -1, 0, 1e300, "", "none", "temp", [], [:], ["x"], ["a": 1],
                                         .string(String(repeating: "z", count: 5000))]
        let directory = try Probe.temporaryDirectory(self)
        var valid = 0, invalid = 0
        for index in 0..<200 {
            var document = base
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                document = mutate(document, replacements: replacements, random: &random)
            }
            var text = document.compactText
            if index % 7 == 0 { text = String(text.prefix(Int.random(in: 0..<text.count, using: &random))) }
            let url = directory.appendingPathComponent("m\(index).json")
            try Data(text.utf8).write(to: url)
            do {
                _ = try Manifest.load(from: url)
                valid += 1
            } catch is PluginHostError {
                invalid += 1
            } catch {
                XCTFail("case \(index): unexpected error type \(error) for \(text.prefix(200))")
            }
        }
        XCTAssertEqual(valid + invalid, 200)
        XCTAssertGreaterThan(invalid, 50, "mutations do produce bad manifests")
    }

    private func mutate(_ value: JSONValue, replacements: [JSONValue], random: inout SeededGenerator) -> JSONValue {
        guard case .object(var members) = value, let key = members.keys.sorted().randomElement(using: &random) else {
            return replacements.randomElement(using: &random) ?? .null
        }
        switch Int.random(in: 0..<4, using: &random) {
        case 0: members.removeValue(forKey: key)
        case 1: members[key] = replacements.randomElement(using: &random)
        case 2: members[key + "x"] = members.removeValue(forKey: key)
        default: members[key] = mutate(members[key] ?? .null, replacements: replacements, random: &random)
        }
        return .object(members)
    }

    /// Random bytes and near-miss JSON-RPC written by a plugin instead of an answer: the call always returns a
    /// result promptly, and loom keeps working with the restarted plugin.
    func testRandomFramingFromPluginNeverHangsTheHost() async throws {
        var random = SeededGenerator(seed: 7)
        var payloads: [[UInt8]] = [
            Array("{\"jsonrpc\":\"2.0\",\"id\":\"one\",\"result\":{}}\n".utf8),
            Array("{\"jsonrpc\":\"2.0\",\"id\":1}\n".utf8),
            Array("[1,2,3]\n".utf8),
            Array("{\"jsonrpc\":\"2.0\",\"id\":1,\"result\":".utf8),
            Array("\u{FEFF}\n\n\n".utf8),
            [0xFF, 0xFE, 0x00, 0x0A],
        ]
        for _ in 0..<3 {
            payloads.append((0..<Int.random(in: 1...300, using: &random)).map { _ in UInt8.random(in: 0...255, using: &random) })
        }
        for (index, payload) in payloads.enumerated() {
            let executor = try Probe.executor(self, [try Probe.plugin(self, sandbox: ["wall_seconds": 0.5])])
            let hex = payload.map { String(format: "%02x", $0) }.joined()
            let result = await executor.call(ToolCall(id: "f\(index)", name: "emit", arguments: ["hex": .string(hex)]))
            XCTAssertTrue(result.isError, "payload \(index) is not an answer: \(result.content)")
            XCTAssertLessThan(result.durationSeconds, 3, "payload \(index)")
            let after = await executor.call(ToolCall(id: "g\(index)", name: "echo", arguments: ["text": "ok"]))
            XCTAssertEqual(after.content, "ok", "payload \(index): the host recovers")
            await executor.shutdown()
        }
    }
}
