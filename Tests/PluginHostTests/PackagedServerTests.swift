import AgentCore
import Foundation
@testable import PluginHost
import TestSupport
import XCTest

/// Servers installed as packages run without hand-written grants: a `pip install`-ed server in a virtual
/// environment, an npm package's `node_modules/.bin` command; and a server that dies because the sandbox
/// hides a path says which path and the manifest line that grants it.
final class PackagedServerTests: XCTestCase {
    private var fixtures: URL { Repository.root.appendingPathComponent("Tests/PluginHostTests/Fixtures") }

    /// The issue's reproduction: a venv with `mcp-server-time`, a manifest pointing at its `bin/` script and
    /// granting nothing.
    func testVirtualEnvironmentServerRunsWithoutGrants() async throws {
        let venv = ThirdPartyServerTests.venv
        let executable = venv.appendingPathComponent("bin/mcp-server-time")
        if !FileManager.default.isExecutableFile(atPath: executable.path) {
            try TestModels.requirement("mcp-server-time is not installed at \(executable.path); run scripts/install-test-deps.sh")
        }
        let directory = try Probe.temporaryDirectory(self)
        let url = try Probe.writeManifest([
            "name": "time", "version": "pypi", "command": [.string(executable.path), "--local-timezone", "UTC"],
            "sandbox": ["memory_mb": 1024, "cpu_seconds": 20, "wall_seconds": 30],
        ], in: directory)
        let plugin = RegisteredPlugin(manifest: try Manifest.load(from: url), manifestURL: url, source: .user)

        let launcher = try Probe.launcher()
        let plan = try launcher.plan(for: plugin.manifest, manifestDirectory: directory, executable: executable)
        plan.removeHostResources()
        XCTAssertEqual(plan.packageRoots.map(\.path), [venv.path], "only the environment: its base is /usr/bin")
        XCTAssertTrue(plan.arguments.joined(separator: " ").contains("--ro-bind \(venv.path) \(venv.path)"))

        let executor = try Probe.executor(self, [plugin])
        let result = await executor.call(ToolCall(id: "1", name: "time.convert_time",
                                                  arguments: ["source_timezone": "UTC", "time": "12:00",
                                                              "target_timezone": "Asia/Tokyo"]))
        XCTAssertFalse(result.isError, result.content)
        let answer = try JSONValue.parse(result.content)
        XCTAssertEqual(answer["target"]?["datetime"]?.stringValue?.contains("T21:00:00"), true, result.content)
    }

    /// An npm-style layout: `node_modules/.bin/greeter` links to the package's script, which `require`s a
    /// dependency from `node_modules`. Run by the real `node`.
    func testNodePackageBinCommandSeesItsDependencies() async throws {
        guard FileManager.default.isExecutableFile(atPath: "/usr/bin/node") else {
            try TestModels.requirement("node is required (apt-get install nodejs; scripts/install-system-packages.sh)")
            return
        }
        let project = try Probe.temporaryDirectory(self)
        let modules = project.appendingPathComponent("node_modules")
        let fm = FileManager.default
        for folder in ["greeter", "greeting", ".bin"] {
            try fm.createDirectory(at: modules.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        try fm.copyItem(at: fixtures.appendingPathComponent("node-package/server.js"),
                        to: modules.appendingPathComponent("greeter/server.js"))
        try fm.copyItem(at: fixtures.appendingPathComponent("node-package/greeting.js"),
                        to: modules.appendingPathComponent("greeting/index.js"))
        try fm.createSymbolicLink(atPath: modules.appendingPathComponent(".bin/greeter").path,
                                  withDestinationPath: "../greeter/server.js")
        let url = try Probe.writeManifest([
            "name": "greeter", "version": "1.0.0", "command": ["node_modules/.bin/greeter"],
            "sandbox": ["memory_mb": 2048],
        ], in: project)
        let plugin = RegisteredPlugin(manifest: try Manifest.load(from: url), manifestURL: url, source: .user)
        let executor = try Probe.executor(self, [plugin])
        let result = await executor.call(ToolCall(id: "1", name: "greeter.greet", arguments: ["name": "loom"]))
        XCTAssertFalse(result.isError, result.content)
        XCTAssertEqual(result.content, "hello, loom")
    }

    /// A `#!/usr/bin/env NAME` script whose NAME only loom's own PATH has (an interpreter installed under
    /// a home folder, as nvm or pyenv do) runs in the sandbox: the interpreter's folder is bound read-only
    /// and comes first in the sandbox's PATH.
    func testAnEnvShebangFindsAnInterpreterOnlyLoomsPathHas() async throws {
        let home = try Probe.temporaryDirectory(self)
        let bin = home.appendingPathComponent("interpreters/bin")
        let fm = FileManager.default
        try fm.createDirectory(at: bin, withIntermediateDirectories: true)
        let interpreter = bin.appendingPathComponent("loom-test-python")
        try Data("#!/bin/sh\nexec /usr/bin/python3 \"$@\"\n".utf8).write(to: interpreter)
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: interpreter.path)
        let project = home.appendingPathComponent("server")
        try fm.createDirectory(at: project, withIntermediateDirectories: true)
        let probe = try String(contentsOf: fixtures.appendingPathComponent("probe.py"), encoding: .utf8)
        let script = project.appendingPathComponent("server.py")
        try Data(("#!/usr/bin/env loom-test-python\n" + probe.drop { $0 != "\n" }.dropFirst()).utf8).write(to: script)
        try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: script.path)
        let url = try Probe.writeManifest(["name": "envprobe", "version": "1", "command": ["./server.py"]], in: project)
        let plugin = RegisteredPlugin(manifest: try Manifest.load(from: url), manifestURL: url, source: .user)
        XCTAssertEqual(SandboxLauncher.envInterpreter(of: script, hostPath: "\(bin.path):/usr/bin:/bin")?.path, interpreter.path)
        XCTAssertNil(SandboxLauncher.envInterpreter(of: script, hostPath: "/usr/bin:/bin"))

        let executor = try Probe.executor(self, [plugin], hostEnvironment: ["PATH": "\(bin.path):/usr/bin:/bin"])
        let result = await executor.call(ToolCall(id: "1", name: "envprobe.echo", arguments: ["text": "found"]))
        XCTAssertFalse(result.isError, result.content)
        XCTAssertEqual(result.content, "found")
        let path = await executor.call(ToolCall(id: "2", name: "envprobe.env", arguments: ["name": "PATH"]))
        XCTAssertEqual(path.content, "\(bin.path):/usr/local/bin:/usr/bin:/bin")

        let without = try Probe.executor(self, [plugin], hostEnvironment: ["PATH": "/usr/bin:/bin"])
        let failed = await without.call(ToolCall(id: "3", name: "envprobe.echo", arguments: ["text": "found"]))
        XCTAssertTrue(failed.isError, "without the interpreter on loom's PATH the script cannot start: \(failed.content)")
    }

    /// A module on the manifest's PYTHONPATH outside every grant: start-up fails, and the message names the
    /// folder and the `filesystem` line; with that line the same server starts.
    func testMissingModuleNamesItsFolderAndTheGrant() async throws {
        let helpers = try Probe.temporaryDirectory(self)
        try Data("DESCRIPTION = 'answers'\n".utf8).write(to: helpers.appendingPathComponent("helper.py"))
        let script = fixtures.appendingPathComponent("needs_paths.py").path
        let directory = try Probe.temporaryDirectory(self)
        let document: JSONValue = ["name": "needs", "version": "1", "command": [.string(script)],
                                   "env": ["PYTHONPATH": .string(helpers.path)]]
        let error = try await startFailure(document, in: directory)
        XCTAssertTrue(error.contains("No module named 'helper'"), error)
        let expected = "Python module 'helper' is in \(helpers.path), which the sandbox does not show; grant it "
            + #"read-only with this line in the manifest's "sandbox": "filesystem": {"read_only":[""#
            + helpers.path + #""],"read_write":[],"temp":false}"#
        XCTAssertTrue(error.hasSuffix(expected), error)

        var granted = document.objectValue ?? [:]
        granted["sandbox"] = ["filesystem": ["read_only": [.string(helpers.path)], "read_write": [], "temp": false]]
        let executor = try Probe.executor(self, [try plugin(.object(granted), in: directory)])
        let tools = try await executor.tools()
        XCTAssertEqual(tools.map(\.description), ["answers"])
    }

    /// A file the server opens at start-up, outside every grant: the message names the file.
    func testMissingFileNamesItAndTheGrant() async throws {
        let configs = try Probe.temporaryDirectory(self)
        let config = configs.appendingPathComponent("config.json")
        try Data("{}".utf8).write(to: config)
        let script = fixtures.appendingPathComponent("needs_paths.py").path
        let directory = try Probe.temporaryDirectory(self)
        let error = try await startFailure(["name": "needs", "version": "1", "command": [.string(script), .string(config.path)],
                                            "sandbox": ["filesystem": "temp"]], in: directory)
        XCTAssertTrue(error.contains("FileNotFoundError"), error)
        XCTAssertTrue(error.hasSuffix("\(config.path) exists on this machine but the sandbox does not show it; grant it "
            + #"read-only with this line in the manifest's "sandbox": "filesystem": {"read_only":[""#
            + config.path + #""],"read_write":[],"temp":true}"#), error)
    }

    /// A path that is missing on the host too is not blamed on the sandbox.
    func testFileMissingEverywhereGetsNoGrantHint() async throws {
        let script = fixtures.appendingPathComponent("needs_paths.py").path
        let directory = try Probe.temporaryDirectory(self)
        let error = try await startFailure(["name": "needs", "version": "1",
                                            "command": [.string(script), "/nonexistent/loom/config.json"]], in: directory)
        XCTAssertTrue(error.contains("FileNotFoundError"), error)
        XCTAssertFalse(error.contains("grant it"), error)
    }

    private func plugin(_ document: JSONValue, in directory: URL) throws -> RegisteredPlugin {
        let url = try Probe.writeManifest(document, in: directory)
        return RegisteredPlugin(manifest: try Manifest.load(from: url), manifestURL: url, source: .user)
    }

    private func startFailure(_ document: JSONValue, in directory: URL) async throws -> String {
        let executor = try Probe.executor(self, [try plugin(document, in: directory)])
        do {
            _ = try await executor.tools()
            XCTFail("the plugin started although the sandbox hides what it needs")
            return ""
        } catch let error as PluginHostError {
            guard case .handshakeFailed = error else { XCTFail("\(error)"); return "\(error)" }
            return error.description
        }
    }
}

/// Finding package roots from where a command lives, on handmade layouts.
final class PackageRootsTests: XCTestCase {
    func testVirtualEnvironmentAndItsBaseOutsideTheSystem() throws {
        let root = try Probe.temporaryDirectory(self)
        let fm = FileManager.default
        let base = root.appendingPathComponent("python-3.12")
        let venv = root.appendingPathComponent("project/.venv")
        try fm.createDirectory(at: base.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try fm.createDirectory(at: venv.appendingPathComponent("bin"), withIntermediateDirectories: true)
        try Data("home = \(base.path)/bin\nversion = 3.12.1\n".utf8).write(to: venv.appendingPathComponent("pyvenv.cfg"))
        let script = venv.appendingPathComponent("bin/server")
        let roots = PackageRoots.roots(executable: script, interpreter: nil, systemPaths: ["/usr"])
        XCTAssertEqual(roots.map(\.path), [venv.path, base.path])
        XCTAssertEqual(PackageRoots.roots(executable: script, interpreter: nil, systemPaths: [root.path]).map(\.path),
                       [venv.path], "a base the system paths show is not bound again")
        // The interpreter alone can place the command in an environment (`#!/path/.venv/bin/python3`).
        let outside = root.appendingPathComponent("server.py")
        XCTAssertEqual(PackageRoots.roots(executable: outside, interpreter: script.path, systemPaths: ["/usr"]).first?.path,
                       venv.path)
        XCTAssertEqual(PackageRoots.roots(executable: outside, interpreter: "/usr/bin/python3", systemPaths: ["/usr"]), [])
    }

    func testNodeModulesFolder() {
        XCTAssertEqual(PackageRoots.nodePackageFolder(containing: "/srv/app/node_modules/.bin/server"), "/srv/app")
        XCTAssertEqual(PackageRoots.nodePackageFolder(containing: "/opt/g/lib/node_modules/a/node_modules/b/x.js"), "/opt/g/lib")
        XCTAssertNil(PackageRoots.nodePackageFolder(containing: "/srv/app/bin/server"))
        XCTAssertNil(PackageRoots.nodePackageFolder(containing: "/node_modules/x"))
    }

    func testStderrPatterns() {
        XCTAssertEqual(StartupDiagnosis.pythonModule(in: "Traceback ...\nModuleNotFoundError: No module named 'mcp_server_time.x'"),
                       "mcp_server_time")
        XCTAssertEqual(StartupDiagnosis.nodeModule(in: "Error: Cannot find module '@scope/pkg/lib'\nRequire stack:"), "@scope/pkg")
        XCTAssertNil(StartupDiagnosis.nodeModule(in: "Error: Cannot find module './local'"))
        XCTAssertEqual(StartupDiagnosis.quotedPaths(in: "FileNotFoundError: [Errno 2] No such file or directory: '/a/b.json'"),
                       ["/a/b.json"])
        XCTAssertEqual(StartupDiagnosis.quotedPaths(in: "bwrap: execvp /x/y: No such file or directory"), ["/x/y"])
        XCTAssertEqual(StartupDiagnosis.quotedPaths(in: "  File \"/a/b.py\", line 3, in <module>"), [],
                       "a traceback's file lines are not missing paths")
    }
}
