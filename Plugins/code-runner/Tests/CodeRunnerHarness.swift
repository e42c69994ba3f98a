import Foundation
import MCP
import TestSupport
import XCTest

/// One tool call's answer as the tests read it.
struct RunAnswer {
    /// The text content (what the model reads).
    var text: String
    /// Whether the call was an MCP error.
    var isError: Bool
    /// The structured content's fields (empty for errors).
    var fields: [String: Value]

    var stdout: String { fields["stdout"]?.stringValue ?? "" }
    var stderr: String { fields["stderr"]?.stringValue ?? "" }
    var exitCode: Int? { fields["exit_code"]?.intValue }
    var signal: String? { fields["signal"]?.stringValue }
    var limitHit: String? { fields["limit_hit"]?.stringValue }
    var limitsHit: [String] { fields["limits_hit"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
    var wallMilliseconds: Int { fields["wall_ms"]?.intValue ?? -1 }
    var warnings: [String] { fields["warnings"]?.arrayValue?.compactMap(\.stringValue) ?? [] }
}

/// Starts the built `code-runner` with a secret planted in its environment and calls its tools over MCP.
///
/// Every escape test ends with `assertAnswersNormally()`: after an attack, the next call must work.
final class CodeRunnerHarness: @unchecked Sendable {
    /// A value only the plugin's environment holds; sandboxed code must never see it.
    let secret = "loom-secret-\(UUID().uuidString)"
    let plugin: PluginProcess

    /// Starts the plugin; `environment` entries are added to this process's environment and the secret.
    init(environment extra: [String: String] = [:]) async throws {
        try Self.requireBubblewrap()
        var environment = ProcessInfo.processInfo.environment
        environment["LOOM_TEST_SECRET"] = secret
        environment.merge(extra) { _, new in new }
        plugin = try await PluginProcess(executable: "code-runner", environment: environment)
    }

    /// bubblewrap and Debian's python3 must be installed (a skip locally, a failure in CI).
    static func requireBubblewrap() throws {
        for path in ["/usr/bin/bwrap", "/usr/bin/python3", "/usr/bin/prlimit", "/usr/bin/setpriv"]
        where !FileManager.default.isExecutableFile(atPath: path) {
            try TestModels.requirement("\(path) is missing; apt-get install bubblewrap python3 util-linux")
        }
    }

    /// Calls `tool` with `arguments` and returns text, error flag and structured fields.
    func call(_ tool: String, _ arguments: [String: Value]) async throws -> RunAnswer {
        try await Self.call(plugin.client, tool, arguments)
    }

    /// Calls a tool on any connected client.
    static func call(_ client: Client, _ tool: String, _ arguments: [String: Value]) async throws -> RunAnswer {
        let context = try await client.send(CallTool.request(.init(name: tool, arguments: arguments)))
        let result = try await context.value
        let text = result.content.compactMap { item -> String? in
            if case .text(let text, _, _) = item { return text }
            return nil
        }.joined(separator: "\n")
        return RunAnswer(text: text, isError: result.isError ?? false, fields: result.structuredContent?.objectValue ?? [:])
    }

    /// Runs Python code.
    func python(_ code: String, stdin: String? = nil, timeout: Int? = nil) async throws -> RunAnswer {
        var arguments: [String: Value] = ["code": .string(code)]
        if let stdin { arguments["stdin"] = .string(stdin) }
        if let timeout { arguments["timeout_s"] = .int(timeout) }
        return try await call("run_python", arguments)
    }

    /// Runs a bash script.
    func shell(_ script: String, stdin: String? = nil, timeout: Int? = nil) async throws -> RunAnswer {
        var arguments: [String: Value] = ["script": .string(script)]
        if let stdin { arguments["stdin"] = .string(stdin) }
        if let timeout { arguments["timeout_s"] = .int(timeout) }
        return try await call("run_shell", arguments)
    }

    /// The plugin still answers a normal call correctly.
    func assertAnswersNormally(file: StaticString = #filePath, line: UInt = #line) async throws {
        XCTAssertTrue(plugin.isRunning, "code-runner died", file: file, line: line)
        let answer = try await python("print(6 * 7)")
        XCTAssertFalse(answer.isError, answer.text, file: file, line: line)
        XCTAssertEqual(answer.exitCode, 0, answer.text, file: file, line: line)
        XCTAssertEqual(answer.stdout, "42\n", answer.text, file: file, line: line)
        XCTAssertNil(answer.limitHit, answer.text, file: file, line: line)
    }

    /// Stops the plugin.
    func stop() async { await plugin.stop() }
}

/// Host-side checks: which processes exist, whatever the sandbox did.
enum HostProcesses {
    /// Pids of host processes whose command line or name contains `marker`.
    static func matching(_ marker: String) -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> Int32? in
            guard let pid = Int32(entry) else { return nil }
            let cmdline = (try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(entry)/cmdline"))) ?? Data()
            let comm = (try? String(contentsOfFile: "/proc/\(entry)/comm", encoding: .utf8)) ?? ""
            let text = String(decoding: cmdline.map { $0 == 0 ? 32 : $0 }, as: UTF8.self) + " " + comm
            return text.contains(marker) ? pid : nil
        }
    }
}

/// Base class: a fresh plugin per test, stopped afterwards.
class CodeRunnerTestCase: XCTestCase {
    /// The plugin under test.
    var harness: CodeRunnerHarness!
    /// Extra environment for the plugin (subclasses override).
    var pluginEnvironment: [String: String] { [:] }

    override func setUp() async throws {
        try await super.setUp()
        harness = try await CodeRunnerHarness(environment: pluginEnvironment)
    }

    override func tearDown() async throws {
        await harness?.stop()
        harness = nil
        try await super.tearDown()
    }
}
