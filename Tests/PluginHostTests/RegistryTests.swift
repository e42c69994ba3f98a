import AgentCore
import Foundation
import PluginHost
import TestSupport
import XCTest

/// The registry under `$LOOM_HOME`: built-ins always present, user plugins added and removed atomically.
final class RegistryTests: XCTestCase {
    private var home: URL!
    private var builtIns: URL!

    override func setUpWithError() throws {
        home = try Probe.temporaryDirectory(self)
        builtIns = try Probe.temporaryDirectory(self)
        let calc = builtIns.appendingPathComponent("calc")
        try FileManager.default.createDirectory(at: calc, withIntermediateDirectories: true)
        _ = try Probe.writeManifest(["name": "calc", "version": "0.1.0", "command": ["calc"], "tools": ["evaluate"]], in: calc)
    }

    private var registry: PluginRegistry { PluginRegistry(home: home, builtInDirectories: [builtIns]) }

    private func userManifest(_ name: String) throws -> URL {
        let directory = try Probe.temporaryDirectory(self)
        return try Probe.writeManifest(Probe.manifest(name: name), in: directory)
    }

    func testBuiltInsAlwaysPresentAndUserPluginsAddAndRemove() throws {
        XCTAssertEqual(try registry.load().plugins.map(\.manifest.name), ["calc"])
        XCTAssertEqual(try registry.load().plugins.first?.source, .builtIn)
        try registry.add(manifestAt: try userManifest("probe"))
        let listing = try registry.load()
        XCTAssertEqual(listing.plugins.map(\.manifest.name), ["calc", "probe"])
        XCTAssertEqual(listing.plugins.map(\.source), [.builtIn, .user])
        XCTAssertEqual(try registry.plugin(named: "probe").manifest.command, [Probe.script.path])
        try registry.remove(named: "probe")
        XCTAssertEqual(try registry.load().plugins.map(\.manifest.name), ["calc"])
    }

    func testNameClashWithBuiltInAndWithUserPlugin() throws {
        XCTAssertThrowsError(try registry.add(manifestAt: try userManifest("calc"))) { error in
            guard case PluginHostError.nameClash(let name, let existing) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(name, "calc")
            XCTAssertTrue(existing.contains("built-in"), existing)
        }
        try registry.add(manifestAt: try userManifest("probe"))
        XCTAssertThrowsError(try registry.add(manifestAt: try userManifest("probe"))) { error in
            XCTAssertTrue("\(error)".contains("already exists"), "\(error)")
        }
    }

    func testRemoveBuiltInAndUnknown() throws {
        XCTAssertThrowsError(try registry.remove(named: "calc")) { error in
            XCTAssertEqual(error as? PluginHostError, .cannotRemoveBuiltIn(name: "calc"))
        }
        XCTAssertThrowsError(try registry.remove(named: "nope")) { error in
            guard case PluginHostError.unknownPlugin = error else { return XCTFail("\(error)") }
        }
        XCTAssertThrowsError(try registry.plugin(named: "nope")) { error in
            XCTAssertEqual(error as? PluginHostError, .unknownPlugin(name: "nope", known: ["calc"]))
        }
    }

    func testWritesLeaveNoTempFilesAndSurviveStaleOnes() throws {
        // A stale temp file from a writer that crashed mid-write is ignored; the registry stays whole.
        let stale = home.appendingPathComponent(".plugins.json.999.deadbeef.tmp")
        try Data("{\"format\": 1, \"plugins\": [".utf8).write(to: stale)
        try registry.add(manifestAt: try userManifest("one"))
        try registry.add(manifestAt: try userManifest("two"))
        let files = try FileManager.default.contentsOfDirectory(atPath: home.path).sorted()
        XCTAssertEqual(files, [".plugins.json.999.deadbeef.tmp", "plugins.json", "plugins.json.lock"])
        let text = try String(contentsOf: home.appendingPathComponent("plugins.json"), encoding: .utf8)
        let document = try JSONValue.parse(text)
        XCTAssertEqual(document["plugins"]?.arrayValue?.compactMap { $0["name"]?.stringValue }, ["one", "two"])
    }

    func testConcurrentAddsKeepEveryEntry() throws {
        let manifests = try (0..<8).map { try userManifest("p\($0)") }
        let registry = self.registry
        let failures = NSLock()
        nonisolated(unsafe) var errors: [String] = []
        DispatchQueue.concurrentPerform(iterations: manifests.count) { index in
            do { try registry.add(manifestAt: manifests[index]) } catch {
                failures.lock()
                errors.append("\(error)")
                failures.unlock()
            }
        }
        XCTAssertEqual(errors, [])
        XCTAssertEqual(Set(try registry.load().plugins.map(\.manifest.name)), Set(["calc"] + (0..<8).map { "p\($0)" }))
    }

    func testCorruptRegistryIsAnErrorNotAnEmptyList() throws {
        try Data("{ half a document".utf8).write(to: home.appendingPathComponent("plugins.json"))
        XCTAssertThrowsError(try registry.load()) { error in
            guard case PluginHostError.corruptRegistry(let file, _) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(file.hasSuffix("plugins.json"))
        }
        XCTAssertThrowsError(try registry.add(manifestAt: try userManifest("probe")), "never overwrites a corrupt registry")
    }

    func testMissingUserManifestIsReportedAsProblem() throws {
        let url = try userManifest("gone")
        try registry.add(manifestAt: url)
        try FileManager.default.removeItem(at: url)
        let listing = try registry.load()
        XCTAssertEqual(listing.plugins.map(\.manifest.name), ["calc"])
        XCTAssertEqual(listing.problems.count, 1)
        XCTAssertTrue(listing.problems[0].hasPrefix("gone: "), listing.problems[0])
        try registry.remove(named: "gone")
        XCTAssertEqual(try registry.load().problems, [])
    }

    func testCommandResolution() throws {
        let directory = try Probe.temporaryDirectory(self)
        let bin = directory.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let tool = bin.appendingPathComponent("tool")
        try Data("#!/bin/sh\n".utf8).write(to: tool)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: tool.path)
        let products = try Probe.temporaryDirectory(self)
        let built = products.appendingPathComponent("sh")
        try Data("#!/bin/sh\n".utf8).write(to: built)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: built.path)

        let resolver = CommandResolver(executableDirectory: products, searchPath: ["/usr/bin", "/bin"])
        XCTAssertEqual(try resolver.resolve("bin/tool", manifestDirectory: directory).path, tool.path, "relative to the manifest")
        XCTAssertEqual(try resolver.resolve("./bin/../bin/tool", manifestDirectory: directory).path, tool.path)
        XCTAssertEqual(try resolver.resolve("sh", manifestDirectory: directory).path, built.path, "products dir first")
        XCTAssertEqual(try resolver.resolve("env", manifestDirectory: directory).path, "/usr/bin/env", "then $PATH")
        XCTAssertThrowsError(try resolver.resolve("no-such-plugin", manifestDirectory: directory)) { error in
            guard case PluginHostError.commandNotFound(_, let searched) = error else { return XCTFail("\(error)") }
            XCTAssertEqual(searched, [products.appendingPathComponent("no-such-plugin").path, "/usr/bin/no-such-plugin",
                                      "/bin/no-such-plugin"])
        }
    }
}
