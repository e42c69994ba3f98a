import Foundation
import TestSupport
import XCTest

/// `loom plugins import` on a Claude-Desktop-style configuration: the PyPI server `mcp-server-time` from
/// a virtual environment and the probe fixture register; a server that cannot start does not; a secret is
/// referenced, not copied, and reaches the plugin from loom's environment.
final class PluginsImportCommandTests: XCTestCase {
    private func requirements() throws -> (venvServer: String, probe: String) {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/bwrap") else {
            try TestModels.requirement("bubblewrap (/usr/bin/bwrap) is required to run plugins")
            return ("", "")  // not reached: requirement throws
        }
        let server = TestModels.loomHome.appendingPathComponent("venvs/mcp-time/bin/mcp-server-time").path
        if !FileManager.default.isExecutableFile(atPath: server) {
            try TestModels.requirement("mcp-server-time is not installed at \(server); run scripts/install-test-deps.sh")
        }
        return (server, Repository.root.appendingPathComponent("Tests/PluginHostTests/Fixtures/probe.py").path)
    }

    func testImportRegistersTheServersThatStart() throws {
        let (server, probe) = try requirements()
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("loom-import-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        let secret = "sk-live-51Hq8ZpL2kXv9Nw3Rt"
        let config = home.appendingPathComponent("claude_desktop_config.json")
        try Data("""
            {"mcpServers": {
              "Time": {"command": "\(server)", "args": ["--local-timezone", "UTC"]},
              "probe": {"command": "\(probe)", "env": {"API_TOKEN": "\(secret)"}},
              "broken": {"command": "/nonexistent/loom-server"}
            }}
            """.utf8).write(to: config)
        let manifests = home.appendingPathComponent("manifests")

        let dry = try CLIRunner(environment: ["LOOM_HOME": home.path]).run(
            ["plugins", "import", config.path, "--into", manifests.path, "--dry-run"])
        XCTAssertEqual(dry.status, 0, dry.stderr)
        XCTAssertTrue(dry.stdout.contains("Time -> plugin 'time': \(server) --local-timezone UTC"), dry.stdout)
        XCTAssertTrue(dry.stdout.contains("secrets: taken from loom's environment at start, not copied: $API_TOKEN"), dry.stdout)
        XCTAssertFalse(dry.stdout.contains(secret), dry.stdout)
        XCTAssertFalse(FileManager.default.fileExists(atPath: manifests.path), "a dry run writes nothing")

        let cli = CLIRunner(environment: ["LOOM_HOME": home.path, "API_TOKEN": "from-the-environment"])
        let output = try cli.run(["plugins", "import", config.path, "--into", manifests.path])
        XCTAssertEqual(output.status, 0, output.stderr)
        XCTAssertTrue(output.stdout.contains("may touch: network: no (loopback only); files: system folders"), output.stdout)
        let venv = URL(fileURLWithPath: server).deletingLastPathComponent().deletingLastPathComponent().path
        XCTAssertTrue(output.stdout.contains("\(venv) read-only (Python virtual environment)"), output.stdout)
        XCTAssertTrue(output.stdout.contains("registered with 2 tool(s): get_current_time, convert_time")
                      || output.stdout.contains("registered with 2 tool(s): convert_time, get_current_time"), output.stdout)
        XCTAssertTrue(output.stdout.contains("broken -> plugin 'broken'"), output.stdout)
        XCTAssertTrue(output.stdout.contains("not registered: plugin command '/nonexistent/loom-server' not found"), output.stdout)
        let written = try String(contentsOf: manifests.appendingPathComponent("probe.json"), encoding: .utf8)
        XCTAssertTrue(written.contains(#""API_TOKEN" : "${API_TOKEN}""#), written)
        XCTAssertFalse(written.contains(secret), written)

        let list = try cli.run(["plugins", "list", "--json"])
        let names = Set(((try JSONSerialization.jsonObject(with: Data(list.stdout.utf8))) as? [[String: Any]] ?? [])
            .compactMap { $0["name"] as? String })
        XCTAssertTrue(names.isSuperset(of: ["time", "probe"]), list.stdout)
        XCTAssertFalse(names.contains("broken"), list.stdout)

        let time = try cli.run(["plugins", "test", "time", "get_current_time", "--args", #"{"timezone": "Europe/Paris"}"#])
        XCTAssertEqual(time.status, 0, time.stdout + time.stderr)
        XCTAssertTrue(time.stdout.contains(#""timezone": "Europe/Paris""#) || time.stdout.contains(#""timezone":"Europe/Paris""#),
                      time.stdout)
        let env = try cli.run(["plugins", "test", "probe", "env", "--args", #"{"name": "API_TOKEN"}"#])
        XCTAssertTrue(env.stdout.hasPrefix("from-the-environment\n"), env.stdout)

        let unset = try CLIRunner(environment: ["LOOM_HOME": home.path]).run(
            ["plugins", "test", "probe", "env", "--args", #"{"name": "API_TOKEN"}"#])
        XCTAssertNotEqual(unset.status, 0)
        XCTAssertTrue((unset.stdout + unset.stderr).contains("refers to ${API_TOKEN}, which is not set in loom's environment"),
                      unset.stdout + unset.stderr)
    }
}
