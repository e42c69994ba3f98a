import AgentCore
import Foundation
import PluginHost
import TestSupport
import XCTest

/// A real Swift plugin (the built-in `calc`) under the sandbox: its runtime is found from its ELF run-path,
/// and the address-space limit is enforced without breaking a Swift executable's start-up.
final class SwiftPluginTests: XCTestCase {
    private func calcPlugin(memoryMB: Int? = nil) throws -> RegisteredPlugin {
        let executable = Repository.productsDirectory.appendingPathComponent("calc")
        if !FileManager.default.isExecutableFile(atPath: executable.path) {
            try TestModels.requirement("the calc plugin is not built at \(executable.path); run swift build")
        }
        let builtIn = Repository.root.appendingPathComponent("Plugins/calc/manifest.json")
        var manifest = try Manifest.load(from: builtIn)
        if let memoryMB { manifest.sandbox.memoryMB = memoryMB }
        return RegisteredPlugin(manifest: manifest, manifestURL: builtIn, source: .builtIn)
    }

    func testCalcRunsUnderSandboxWithItsManifest() async throws {
        let executor = try Probe.executor(self, [try calcPlugin()])
        let result = await executor.call(ToolCall(id: "c1", name: "calc.evaluate", arguments: ["expression": "2^100"]))
        XCTAssertFalse(result.isError, result.content)
        XCTAssertTrue(result.content.contains("1267650600228229401496703205376"), result.content)
    }

    func testSwiftPluginStartsWithin256MiBAndFailsReadablyBelowItsNeeds() async throws {
        let enough = try Probe.executor(self, [try calcPlugin(memoryMB: 256)])
        let answer = await enough.call(ToolCall(id: "c2", name: "calc.evaluate", arguments: ["expression": "1/3+1/6"]))
        XCTAssertFalse(answer.isError, "a Swift plugin runs with RLIMIT_AS = 256 MiB: \(answer.content)")
        XCTAssertTrue(answer.content.contains("1/2"), answer.content)

        let starved = try Probe.executor(self, [try calcPlugin(memoryMB: 64)])
        let failure = await starved.call(ToolCall(id: "c3", name: "calc.evaluate", arguments: ["expression": "1"]))
        XCTAssertTrue(failure.isError)
        XCTAssertTrue(failure.content.contains("failed to map segment") || failure.content.contains("memory"),
                      "the loader's error reaches the model: \(failure.content)")
    }

    func testSwiftPluginReachedThroughSymlinkedProductsDirectory() async throws {
        let plugin = try calcPlugin()
        // Like `.build/release -> x86_64-unknown-linux-gnu/release`: the binary's $ORIGIN run-path is the real
        // directory, the command is found through the link; both must resolve inside the sandbox.
        let directory = try Probe.temporaryDirectory(self)
        let link = directory.appendingPathComponent("release")
        try FileManager.default.createSymbolicLink(atPath: link.path,
                                                   withDestinationPath: Repository.productsDirectory.resolvingSymlinksInPath().path)
        let configuration = PluginToolExecutor.Configuration(
            launcher: try Probe.launcher(), resolver: CommandResolver(executableDirectory: link, searchPath: []))
        let executor = PluginToolExecutor(plugins: [plugin], configuration: configuration)
        addTeardownBlock { await executor.shutdown() }
        let result = await executor.call(ToolCall(id: "c4", name: "calc.evaluate", arguments: ["expression": "6*7"]))
        XCTAssertFalse(result.isError, result.content)
        XCTAssertTrue(result.content.contains("42"), result.content)
    }
}
