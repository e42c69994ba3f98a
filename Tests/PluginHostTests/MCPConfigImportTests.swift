import AgentCore
import Foundation
import PluginHost
import XCTest

/// Converting Claude Desktop / Cursor `mcpServers` and VS Code `servers` configurations into manifests.
final class MCPConfigImportTests: XCTestCase {
    func testClaudeDesktopConfigBecomesManifestsWithoutSecrets() throws {
        let folder = try Probe.temporaryDirectory(self)
        let token = "ghp_8f3KzQ1x9VbN2mR7tLw4"
        let config: JSONValue = ["mcpServers": [
            "GitHub Tools": ["command": "npx", "args": ["-y", "@modelcontextprotocol/server-github"],
                             "env": ["GITHUB_PERSONAL_ACCESS_TOKEN": .string(token), "LOG_LEVEL": "debug",
                                     "UPSTREAM": .string("https://user:\(token)@example.com/api"),
                                     "SESSION_ID": .string(token)]],
            "files": ["command": "/usr/bin/node", "args": ["server.js", .string(folder.path), "/nonexistent/loom"]],
            "github-tools": ["command": "./local/server.py"],
            "remote": ["type": "http", "url": "https://mcp.example.com/mcp",
                       "headers": ["Authorization": "Bearer abc.def", "X-Region": "eu"]],
            "legacy": ["type": "sse", "url": "https://old.example.com/sse"],
            "7zip": ["command": "7z-mcp"],
        ]]
        let servers = try MCPConfigImport.servers(in: config, file: "claude_desktop_config.json",
                                                  configDirectory: URL(fileURLWithPath: "/srv/config"))
        XCTAssertEqual(servers.map(\.key), ["7zip", "GitHub Tools", "files", "github-tools", "legacy", "remote"])
        XCTAssertEqual(servers.map { $0.manifest?.name }, ["mcp-7zip", "github-tools", "files", "github-tools-2", nil, "remote"])

        let github = try XCTUnwrap(servers[1].manifest)
        XCTAssertEqual(github.command, ["npx", "-y", "@modelcontextprotocol/server-github"])
        XCTAssertEqual(github.env, ["GITHUB_PERSONAL_ACCESS_TOKEN": "${GITHUB_PERSONAL_ACCESS_TOKEN}", "LOG_LEVEL": "debug",
                                    "UPSTREAM": "${UPSTREAM}", "SESSION_ID": "${SESSION_ID}"])
        XCTAssertEqual(servers[1].referencedVariables, ["GITHUB_PERSONAL_ACCESS_TOKEN", "SESSION_ID", "UPSTREAM"])
        XCTAssertTrue(servers[1].notes.contains { $0.contains("downloads the server") }, "\(servers[1].notes)")
        let encoded = String(decoding: try JSONEncoder().encode(github), as: UTF8.self)
        XCTAssertFalse(encoded.contains(token), "the secret is not copied: \(encoded)")
        XCTAssertEqual(github.sandbox, MCPConfigImport.defaultSandbox)

        let files = try XCTUnwrap(servers[2].manifest)
        XCTAssertEqual(files.sandbox.filesystem.readOnly, [folder.path], "existing absolute path arguments are granted read-only")
        XCTAssertTrue(files.sandbox.filesystem.temp)
        XCTAssertFalse(files.sandbox.network)
        XCTAssertEqual(servers[3].manifest?.command, ["/srv/config/local/server.py"], "relative to the config's folder")
        XCTAssertEqual(servers[4].skipped, "it uses the older HTTP+SSE transport ('type': 'sse'); Loom speaks Streamable HTTP")
        let remote = try XCTUnwrap(servers[5].manifest)
        XCTAssertEqual(remote.url, "https://mcp.example.com/mcp")
        XCTAssertEqual(remote.command, [])
        XCTAssertEqual(remote.headers, ["Authorization": "Bearer ${REMOTE_AUTHORIZATION}", "X-Region": "eu"])
        XCTAssertEqual(servers[5].referencedVariables, ["REMOTE_AUTHORIZATION"])
        XCTAssertTrue(MCPConfigImport.describeAccess(remote).hasPrefix(
            "nothing on this machine (a server over HTTP: loom connects to mcp.example.com only, no redirects); "
                + "headers: Authorization (from loom's $REMOTE_AUTHORIZATION), X-Region;"), MCPConfigImport.describeAccess(remote))
        let reread = try Manifest.parse(try JSONValue.parse(String(decoding: try JSONEncoder().encode(remote), as: UTF8.self)),
                                        file: "remote.json")
        XCTAssertEqual(reread, remote, "an imported HTTP manifest reads back as written")

        let access = MCPConfigImport.describeAccess(github)
        XCTAssertTrue(access.hasPrefix("network: no (loopback only); files: system folders"), access)
        XCTAssertTrue(access.contains("GITHUB_PERSONAL_ACCESS_TOKEN (from loom's $GITHUB_PERSONAL_ACCESS_TOKEN)"), access)
        XCTAssertTrue(access.contains("LOG_LEVEL,") || access.contains("LOG_LEVEL;"), access)
    }

    func testVSCodeServersWithEnvAndInputReferences() throws {
        let config: JSONValue = ["inputs": [["id": "token", "type": "promptString", "password": true]],
                                 "servers": ["search": ["type": "stdio", "command": "/opt/search/bin/server",
                                                        "env": ["API_KEY": "${env:SEARCH_API_KEY}", "TOKEN": "${input:token}",
                                                                "MODE": "${MODE}"]]]]
        let servers = try MCPConfigImport.servers(in: config, file: ".vscode/mcp.json", configDirectory: URL(fileURLWithPath: "/w"))
        let manifest = try XCTUnwrap(servers.first?.manifest)
        XCTAssertEqual(manifest.env, ["API_KEY": "${SEARCH_API_KEY}", "TOKEN": "${TOKEN}", "MODE": "${MODE}"])
        XCTAssertEqual(servers.first?.referencedVariables, ["MODE", "SEARCH_API_KEY", "TOKEN"])
    }

    func testFileWithoutServersIsAClearError() throws {
        let folder = try Probe.temporaryDirectory(self)
        let url = folder.appendingPathComponent("settings.json")
        try Data(#"{"editor.fontSize": 14}"#.utf8).write(to: url)
        XCTAssertThrowsError(try MCPConfigImport.read(url)) { error in
            XCTAssertEqual("\(error)", "cannot read manifest \(url.path): no 'mcpServers' (Claude Desktop, Cursor) or "
                + "'servers' (VS Code) object")
        }
    }

    func testEnvironmentReferencesAreFilledAtLaunchAndAMissingOneIsNamed() throws {
        XCTAssertEqual(EnvironmentReference.names(in: "Bearer ${A_1} and ${B} but not $C or ${9x} or ${"), ["A_1", "B"])
        XCTAssertEqual(try EnvironmentReference.expand("Bearer ${T}!", field: "env.X", plugin: "p", environment: ["T": "v"]),
                       "Bearer v!")
        XCTAssertThrowsError(try EnvironmentReference.expand("${GONE}", field: "env.X", plugin: "p", environment: [:])) { error in
            XCTAssertEqual("\(error)", "cannot start plugin 'p': its manifest's env.X refers to ${GONE}, which is not set in "
                + "loom's environment; set it (export GONE=...) before running loom")
        }
        let manifest = Manifest(name: "p", version: "1", command: ["/bin/true"], env: ["TOKEN": "${LOOM_TEST_SECRET}"])
        let launcher = SandboxLauncher(mode: .bubblewrap("/usr/bin/bwrap"), hostEnvironment: ["LOOM_TEST_SECRET": "s3"])
        let plan = try launcher.plan(for: manifest, manifestDirectory: URL(fileURLWithPath: "/"),
                                     executable: URL(fileURLWithPath: "/bin/true"))
        XCTAssertEqual(plan.environment["TOKEN"], "s3")
        XCTAssertTrue(plan.arguments.joined(separator: " ").contains("--setenv TOKEN s3"))
    }
}
