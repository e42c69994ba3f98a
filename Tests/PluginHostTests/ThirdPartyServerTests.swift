import AgentCore
import Foundation
import PluginHost
import TestSupport
import XCTest

/// A real third-party MCP server from PyPI (`mcp-server-time`) registers by manifest, lists its tools and
/// answers a call under the sandbox.
///
/// Set-up (done by `make test`): `/usr/bin/python3 -m venv $LOOM_HOME/venvs/mcp-time &&
/// $LOOM_HOME/venvs/mcp-time/bin/pip install mcp-server-time`.
final class ThirdPartyServerTests: XCTestCase {
    static var venv: URL { TestModels.loomHome.appendingPathComponent("venvs/mcp-time") }

    private func serverExecutable() throws -> URL {
        let url = Self.venv.appendingPathComponent("bin/mcp-server-time")
        if !FileManager.default.isExecutableFile(atPath: url.path) {
            try TestModels.requirement("mcp-server-time is not installed at \(url.path); run "
                + "`/usr/bin/python3 -m venv \(Self.venv.path) && \(Self.venv.path)/bin/pip install mcp-server-time`")
        }
        return url
    }

    func testTimeServerRegistersListsAndAnswers() async throws {
        let executable = try serverExecutable()
        let directory = try Probe.temporaryDirectory(self)
        let manifestURL = try Probe.writeManifest([
            "name": "time", "version": "pypi", "description": "Current time and time-zone conversion (mcp-server-time)",
            "command": [.string(executable.path), "--local-timezone", "UTC"],
            "sandbox": ["network": false, "filesystem": ["read_only": [.string(Self.venv.path)]], "cpu_seconds": 20,
                        "memory_mb": 1024, "wall_seconds": 30],
            "tools": ["get_current_time", "convert_time"],
        ], in: directory)
        let home = try Probe.temporaryDirectory(self)
        let registry = PluginRegistry(home: home, builtInDirectories: [])
        try registry.add(manifestAt: manifestURL)
        let plugin = try registry.plugin(named: "time")

        let executor = try Probe.executor(self, [plugin])
        let tools = try await executor.tools()
        XCTAssertEqual(Set(tools.map(\.name)), ["get_current_time", "convert_time"])
        XCTAssertTrue(tools.allSatisfy { $0.plugin == "time" && !$0.description.isEmpty })
        let schema = try XCTUnwrap(tools.first { $0.name == "get_current_time" }?.inputSchema)
        XCTAssertEqual(schema["required"], ["timezone"])

        let before = Date()
        let result = await executor.call(ToolCall(id: "t1", name: "time.get_current_time", arguments: ["timezone": "UTC"]))
        XCTAssertFalse(result.isError, result.content)
        let answer = try JSONValue.parse(result.content)
        XCTAssertEqual(answer["timezone"], "UTC")
        let stamp = try XCTUnwrap(answer["datetime"]?.stringValue)
        let parsed = try XCTUnwrap(ISO8601DateFormatter().date(from: stamp), stamp)
        XCTAssertLessThan(abs(parsed.timeIntervalSince(before)), 120, "the server reports the current time: \(stamp)")

        let bad = await executor.call(ToolCall(id: "t2", name: "get_current_time", arguments: ["timezone": "Mars/Olympus"]))
        XCTAssertTrue(bad.isError, "an invalid time zone is an error result: \(bad.content)")
    }
}
