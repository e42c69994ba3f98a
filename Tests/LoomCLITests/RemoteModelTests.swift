import Foundation
import TestSupport
import XCTest

/// Loom as its own remote: `loom ask --model openai:URL#MODEL` against `loom serve` makes the same
/// greedy decisions as the same model in-process, and its trace replays live against the server.
final class RemoteModelTests: XCTestCase {
    func testRemoteModelGivesTheSameAnswerAndToolCallsAsInProcess() throws {
        let model = try TestModels.path(TestModels.qwen05)
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("loom-remote-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let server = try ServeProcess(["--model", model, "--max-tokens", "8192"], environment: ["LOOM_HOME": home.path])
        defer { server.stop() }
        let cli = CLIRunner(environment: ["LOOM_HOME": home.path], limit: 900)
        let question = "Compute the integral of x^4 between 1 and 2, and multiply it by 10."
        var runs: [(answer: String, calls: [String])] = []
        for (name, reference) in [("local", model), ("remote", "openai:\(server.baseURL)#\(ServeTests.qwen)")] {
            let trace = home.appendingPathComponent("\(name).jsonl")
            let output = try cli.run(["ask", "--agent", "math-plan", "--model", reference, "--json", "--trace", trace.path, question])
            XCTAssertEqual(output.status, 0, "\(name): \(output.stderr)\nserver log:\n\(server.log)")
            let report = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(output.stdout.utf8)) as? [String: Any],
                                       output.stdout)
            let records = try String(contentsOf: trace, encoding: .utf8).split(separator: "\n").map { line in
                try XCTUnwrap(JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            }
            let calls = try records.filter { $0["type"] as? String == "tool_call" }.compactMap { $0["call"] as? [String: Any] }
                .map { call in
                    let arguments = try JSONSerialization.data(withJSONObject: call["arguments"] ?? [:], options: [.sortedKeys])
                    return "\(call["name"] ?? "") \(String(decoding: arguments, as: UTF8.self))"
                }
            runs.append((try XCTUnwrap(report["answer"] as? String), calls))
        }
        XCTAssertFalse(runs[0].calls.isEmpty, "the in-process run called no tool")
        XCTAssertEqual(runs[1].calls, runs[0].calls)
        XCTAssertEqual(runs[1].answer, runs[0].answer)
        XCTAssertTrue(server.log.contains("\(ServeTests.qwen): "), server.log)
        // The remote run replays live against the same server: every output is the same text again.
        let replay = try cli.run(["replay", home.appendingPathComponent("remote.jsonl").path, "--live-model"])
        XCTAssertEqual(replay.status, 0, "\(replay.stdout)\n\(replay.stderr)")
    }
}

/// A remote server that ignores `response_format`: Loom retries it while it is busy (429), then stops
/// with an error that says the server does not honour structured output, instead of a plan that fails
/// to parse later.
final class RemoteServerWithoutStructuredOutputTests: XCTestCase {
    func testABusyServerIsRetriedAndIgnoringTheSchemaIsAClearError() throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", Repository.root.appendingPathComponent("Tests/LoomCLITests/Python/plain_text_server.py").path,
                             "--busy", "2"]
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        defer { process.terminate(); process.waitUntilExit() }
        var line = Data()
        while let byte = try out.fileHandleForReading.read(upToCount: 1), !byte.isEmpty, byte != Data("\n".utf8) { line.append(byte) }
        let port = try XCTUnwrap(Int(String(decoding: line, as: UTF8.self)), "the server printed no port")

        let home = FileManager.default.temporaryDirectory.appendingPathComponent("loom-plain-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: home) }
        let output = try CLIRunner(environment: ["LOOM_HOME": home.path]).run(
            ["ask", "--agent", "math-plan", "--model", "openai:http://127.0.0.1:\(port)/v1#plain", "What is 2 + 2?"])
        process.terminate()
        process.waitUntilExit()
        let log = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        XCTAssertNotEqual(output.status, 0)
        XCTAssertTrue(output.stderr.contains("does not honour response_format json_schema"), output.stderr)
        XCTAssertEqual(log.split(separator: "\n").map(String.init), ["chat 1: 429", "chat 2: 429", "chat 3: 200"])
    }
}
