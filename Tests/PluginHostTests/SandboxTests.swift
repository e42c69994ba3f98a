import AgentCore
import Foundation
@testable import PluginHost
import TestSupport
import XCTest

/// The bubblewrap sandbox, exercised with the probe plugin: network, filesystem, rlimits, cleanup.
final class SandboxTests: XCTestCase {
    private func call(_ executor: PluginToolExecutor, _ tool: String, _ arguments: JSONValue = [:]) async -> ToolResult {
        await executor.call(ToolCall(id: "sandbox", name: tool, arguments: arguments))
    }

    func testNoNetworkUnlessGranted() async throws {
        let listener = try LoopbackListener()
        defer { listener.close() }
        let isolated = try Probe.executor(self, [try Probe.plugin(self)])
        let blocked = await call(isolated, "connect", ["port": .int(listener.port)])
        XCTAssertTrue(blocked.isError, "a plugin without network reached 127.0.0.1:\(listener.port): \(blocked.content)")
        XCTAssertTrue(blocked.content.contains("connect failed"), blocked.content)

        let networked = try Probe.executor(self, [try Probe.plugin(self, sandbox: ["network": true])])
        let allowed = await call(networked, "connect", ["port": .int(listener.port)])
        XCTAssertEqual(allowed.content, "connected: hi", "with network granted the same call works")
    }

    func testCannotReadHomeOrRepository() async throws {
        let secretDirectory = try Probe.temporaryDirectory(self)
        let secret = secretDirectory.appendingPathComponent("secret.txt")
        try Data("top secret".utf8).write(to: secret)
        let home = FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".cache/loom")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        let homeSecret = home.appendingPathComponent("ph-secret-\(UUID().uuidString.prefix(8))")
        try Data("home secret".utf8).write(to: homeSecret)
        defer { try? FileManager.default.removeItem(at: homeSecret) }

        let executor = try Probe.executor(self, [try Probe.plugin(self)])
        for path in [Repository.root.appendingPathComponent("Package.swift").path, homeSecret.path, secret.path] {
            let result = await call(executor, "read_file", ["path": .string(path)])
            XCTAssertTrue(result.isError, "sandboxed plugin read \(path): \(result.content)")
            XCTAssertTrue(result.content.contains("No such file"), result.content)
        }
        let home2 = await call(executor, "env", ["name": "HOME"])
        XCTAssertEqual(home2.content, "/", "the host environment is cleared")

        let granted = try Probe.executor(self, [try Probe.plugin(self, sandbox: ["filesystem": ["read_only": .array([.string(secretDirectory.path)])]])])
        let read = await call(granted, "read_file", ["path": .string(secret.path)])
        XCTAssertEqual(read.content, "read: top secret", "a read_only grant makes the path visible")
        let write = await call(granted, "write_file", ["path": .string(secretDirectory.appendingPathComponent("new").path)])
        XCTAssertTrue(write.isError && write.content.contains("Read-only file system"), write.content)
    }

    func testPrivateTempIsWritableAndRemoved() async throws {
        let none = try Probe.executor(self, [try Probe.plugin(self)])
        let refused = await call(none, "write_file", ["path": "/tmp/x"])
        XCTAssertTrue(refused.isError, "filesystem none has no writable /tmp: \(refused.content)")

        let root = try Probe.temporaryDirectory(self)
        let configuration = PluginToolExecutor.Configuration(
            launcher: SandboxLauncher(mode: try Probe.launcher().mode, temporaryRoot: root),
            resolver: CommandResolver(executableDirectory: nil, searchPath: ["/usr/bin"]))
        let executor = PluginToolExecutor(plugins: [try Probe.plugin(self, sandbox: ["filesystem": "temp"])], configuration: configuration)
        let wrote = await call(executor, "write_file", ["path": "/tmp/x"])
        XCTAssertEqual(wrote.content, "wrote /tmp/x")
        let created = try FileManager.default.contentsOfDirectory(atPath: root.path)
        XCTAssertEqual(created.count, 1, "one private temp dir on the host: \(created)")
        await executor.shutdown()
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: root.path), [], "temp dir removed at stop")
    }

    func testCPULimitKillsSpinner() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self, sandbox: ["cpu_seconds": 1, "wall_seconds": 20])])
        let result = await call(executor, "spin")
        XCTAssertTrue(result.isError)
        XCTAssertTrue(result.content.contains("SIGXCPU (CPU time limit)"), result.content)
        XCTAssertLessThan(result.durationSeconds, 20, "the CPU limit, not the wall-clock limit, stopped it")
    }

    func testWallClockKillsSpinner() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self, sandbox: ["cpu_seconds": 100, "wall_seconds": 1])])
        let result = await call(executor, "spin")
        XCTAssertTrue(result.isError && result.content.contains("did not answer within 1 s"), result.content)
        XCTAssertLessThan(result.durationSeconds, 4)
    }

    func testMemoryLimit() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self, sandbox: ["memory_mb": 128])])
        let small = await call(executor, "allocate", ["megabytes": 16])
        XCTAssertFalse(small.isError, small.content)
        let large = await call(executor, "allocate", ["megabytes": 256])
        XCTAssertTrue(large.isError && large.content.contains("MemoryError"), large.content)
    }

    func testFileSizeLimit() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self, sandbox: ["filesystem": "temp", "max_file_mb": 1])])
        let small = await call(executor, "write_file", ["path": "/tmp/small", "bytes": 1000])
        XCTAssertFalse(small.isError, small.content)
        let large = await call(executor, "write_file", ["path": "/tmp/large", "bytes": 2_000_000])
        XCTAssertTrue(large.isError && large.content.contains("File too large"), large.content)
    }

    func testManifestAndHostEnvironmentReachPlugin() async throws {
        let directory = try Probe.temporaryDirectory(self)
        var document = Probe.manifest().objectValue ?? [:]
        document["env"] = ["GREETING": "hello from the manifest"]
        let url = try Probe.writeManifest(.object(document), in: directory)
        let plugin = RegisteredPlugin(manifest: try Manifest.load(from: url), manifestURL: url, source: .user)
        let executor = try Probe.executor(self, [plugin], environment: ["probe": ["LOOM_WEB_FETCH_ALLOW_HOSTS": "a.example,b.example"]])
        let greeting = await call(executor, "env", ["name": "GREETING"])
        XCTAssertEqual(greeting.content, "hello from the manifest")
        let hosts = await call(executor, "env", ["name": "LOOM_WEB_FETCH_ALLOW_HOSTS"])
        XCTAssertEqual(hosts.content, "a.example,b.example")
    }

    func testNestedBubblewrapWorksInsideSandbox() async throws {
        let executor = try Probe.executor(self, [try Probe.plugin(self, sandbox: ["filesystem": "temp"])])
        let nested: [JSONValue] = ["bwrap", "--unshare-all", "--die-with-parent", "--ro-bind", "/usr", "/usr",
                                   "--symlink", "usr/lib", "/lib", "--symlink", "usr/lib64", "/lib64",
                                   "--symlink", "usr/bin", "/bin", "--dev", "/dev", "--", "/usr/bin/true"]
        let result = await call(executor, "run", ["argv": .array(nested)])
        XCTAssertFalse(result.isError, "nested bwrap (without --proc) must work for code-runner: \(result.content)")
    }

    func testNoOrphanAfterShutdown() async throws {
        let marker = "serve-\(UUID().uuidString.prefix(8))"
        let executor = try Probe.executor(self, [try Probe.plugin(self, mode: marker)])
        let echo = await call(executor, "echo", ["text": "up"])
        XCTAssertEqual(echo.content, "up")
        XCTAssertFalse(processes(containing: marker).isEmpty, "the plugin runs")
        await executor.shutdown()
        // bwrap is reaped by shutdown; the sandbox's inner processes get its parent-death SIGKILL a moment later.
        var left = processes(containing: marker)
        for _ in 0..<40 where !left.isEmpty {
            try await Task.sleep(nanoseconds: 50_000_000)
            left = processes(containing: marker)
        }
        XCTAssertEqual(left, [], "no plugin process survives shutdown")
    }

    func testForkBombIsStoppedAtMaxProcessesAndTheHostStaysResponsive() async throws {
        if getuid() == 0 && PidsCgroup.detect() == nil {
            try TestModels.requirement("running as root, max_processes needs a writable pids cgroup (RLIMIT_NPROC does not bind root)")
        }
        let executor = try Probe.executor(self, [try Probe.plugin(self, sandbox: ["max_processes": 8, "wall_seconds": 60])])
        let bomb = await call(executor, "fork_bomb", ["limit": 5000])
        XCTAssertFalse(bomb.isError, bomb.content)
        XCTAssertTrue(bomb.content.hasPrefix("fork failed after "), "the fork bomb was stopped: \(bomb.content)")
        let children = Int(bomb.content.dropFirst("fork failed after ".count).prefix { $0.isNumber }) ?? .max
        XCTAssertLessThan(children, 8, "the probe and its children stay within max_processes: \(bomb.content)")
        let echo = await call(executor, "echo", ["text": "still responsive"])
        XCTAssertEqual(echo.content, "still responsive")
    }

    /// A plugin whose process tree is in a pids cgroup is told its cap (`LOOM_PIDS_MAX`, which code-runner
    /// reads before warning that a fork bomb is stopped only by the time limit); without a cgroup the
    /// variable is absent even when the manifest sets it.
    func testPluginIsToldWhenAPidsCgroupCapsIt() throws {
        let hierarchy = try Probe.temporaryDirectory(self)
        var manifest = try Probe.plugin(self, sandbox: ["max_processes": 7]).manifest
        manifest.env[SandboxLauncher.pidsCgroupVariable] = "999"
        for (cgroup, expected) in [(PidsCgroup(hierarchy: hierarchy) as PidsCgroup?, "7" as String?), (nil, nil)] {
            let launcher = SandboxLauncher(mode: .unsandboxed, pidsCgroup: cgroup)
            let plan = try launcher.plan(for: manifest, manifestDirectory: hierarchy, executable: Probe.script)
            XCTAssertEqual(plan.environment[SandboxLauncher.pidsCgroupVariable], expected)
            XCTAssertEqual(plan.pidsGroup != nil, cgroup != nil)
            if let group = plan.pidsGroup {
                XCTAssertEqual(try String(contentsOf: group.appendingPathComponent("pids.max"), encoding: .utf8),
                               "\(7 + PidsCgroup.sandboxTasks)\n")
            }
        }
    }

    /// A plugin Loom stops itself (here for flooding stdout, from the thread that reads it) has its pids
    /// cgroup removed by the time the call returns: `loom plugins test` exits right after, and used to
    /// leave an empty `loom-<name>-<id>` group behind.
    func testPidsCgroupIsRemovedBeforeTheCallOfAStoppedPluginReturns() async throws {
        guard getuid() == 0 else {
            try TestModels.requirement("running as root: pids cgroups are used only when loom runs as root")
            return
        }
        guard let pids = PidsCgroup.detect() else {
            try TestModels.requirement("running as root, max_processes needs a writable pids cgroup")
            return
        }
        let name = "cg\(UUID().uuidString.prefix(6).lowercased())"
        func groups() -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: pids.hierarchy.path)) ?? []).filter { $0.hasPrefix("loom-\(name)-") }
        }
        let executor = try Probe.executor(self, [try Probe.plugin(self, name: name, sandbox: ["wall_seconds": 20])])
        let started = await call(executor, "echo", ["text": "up"])
        XCTAssertEqual(started.content, "up")
        XCTAssertEqual(groups().count, 1, "the plugin runs in its own group")
        let flood = await call(executor, "flood", ["megabytes": 20])
        XCTAssertTrue(flood.isError && flood.content.contains("more than 1048576 bytes"), flood.content)
        XCTAssertEqual(groups(), [], "the stopped plugin's group is gone when its call returns")
        await executor.shutdown()
    }

    func testNoOrphanWhenParentIsKilled() async throws {
        let marker = "serve-\(UUID().uuidString.prefix(8))"
        let plugin = try Probe.plugin(self, mode: marker)
        let plan = try Probe.launcher().plan(for: plugin.manifest, manifestDirectory: plugin.manifestDirectory,
                                             executable: Probe.script)
        if let group = plan.pidsGroup { addTeardownBlock { _ = rmdir(group.path) } }
        // A stand-in for loom: a shell that starts the sandbox and is then killed with SIGKILL.
        let parent = Process()
        parent.executableURL = URL(fileURLWithPath: "/bin/sh")
        parent.arguments = ["-c", "\"$@\" < /dev/zero > /dev/null & wait", "sh", plan.program] + plan.arguments
        try parent.run()
        var running: [Int32] = []
        for _ in 0..<50 where running.count < 2 {
            try await Task.sleep(nanoseconds: 50_000_000)
            running = processes(containing: marker)
        }
        XCTAssertFalse(running.isEmpty, "the sandboxed plugin started")
        kill(parent.processIdentifier, SIGKILL)
        parent.waitUntilExit()
        var left = running
        for _ in 0..<40 where !left.isEmpty {
            try await Task.sleep(nanoseconds: 50_000_000)
            left = processes(containing: marker)
        }
        XCTAssertEqual(left, [], "bwrap --die-with-parent takes the plugin down with its parent")
    }
}

/// Without bubblewrap, plugins are refused with a clear message unless the caller opts out of the sandbox.
final class SandboxAvailabilityTests: XCTestCase {
    func testMissingBubblewrapIsRefusedUnlessUnsafe() throws {
        let directory = try Probe.temporaryDirectory(self)
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("prlimit").path,
                                                   withDestinationPath: "/usr/bin/prlimit")
        XCTAssertThrowsError(try SandboxLauncher.detect(allowUnsandboxed: false, searchPath: [directory.path])) { error in
            guard case PluginHostError.sandboxUnavailable(let reason) = error else { return XCTFail("\(error)") }
            XCTAssertTrue(reason.contains("bubblewrap (bwrap) was not found"), reason)
            XCTAssertTrue("\(error)".contains("--unsafe-no-sandbox"), "\(error)")
            XCTAssertTrue("\(error)".contains("apt-get install bubblewrap"), "\(error)")
        }
        let unsafe = try SandboxLauncher.detect(allowUnsandboxed: true, searchPath: [directory.path])
        XCTAssertEqual(unsafe.mode, .unsandboxed)
    }

    func testLaunchPlanShape() throws {
        let launcher = SandboxLauncher(mode: .bubblewrap("/usr/bin/bwrap"))
        let manifest = Manifest(name: "shape", version: "1", command: ["/usr/bin/env", "-i"], env: ["A": "1"],
                                sandbox: .init(network: false, cpuSeconds: 5, memoryMB: 256))
        let plan = try launcher.plan(for: manifest, manifestDirectory: URL(fileURLWithPath: "/"),
                                     executable: URL(fileURLWithPath: "/usr/bin/env"))
        XCTAssertEqual(plan.program, "/usr/bin/bwrap")
        XCTAssertEqual(Array(plan.arguments.prefix(3)), ["--unshare-all", "--die-with-parent", "--new-session"])
        XCTAssertFalse(plan.arguments.contains("--share-net"))
        XCTAssertTrue(plan.arguments.contains("--clearenv"))
        XCTAssertEqual(Array(plan.arguments.suffix(10)),
                       ["--", "/usr/bin/prlimit", "--cpu=5:6", "--as=268435456", "--nproc=64", "--fsize=67108864",
                        "--nofile=256", "--", "/usr/bin/env", "-i"])
        XCTAssertEqual(plan.environment["A"], "1")
        XCTAssertNil(plan.privateTemp)
    }
}

/// Paths reached through symlinks (SwiftPM's `.build/release`) work inside the sandbox.
final class SymlinkedPathTests: XCTestCase {
    func testPluginReachedThroughSymlinkedDirectory() async throws {
        let directory = try Probe.temporaryDirectory(self)
        let real = directory.appendingPathComponent("x86_64/release")
        try FileManager.default.createDirectory(at: real, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: Probe.script, to: real.appendingPathComponent("probe"))
        try FileManager.default.createSymbolicLink(atPath: directory.appendingPathComponent("release").path,
                                                   withDestinationPath: "x86_64/release")
        let manifestURL = try Probe.writeManifest(["name": "linked", "version": "1", "command": ["probe"]], in: directory)
        let plugin = RegisteredPlugin(manifest: try Manifest.load(from: manifestURL), manifestURL: manifestURL, source: .user)
        let configuration = PluginToolExecutor.Configuration(
            launcher: try Probe.launcher(),
            resolver: CommandResolver(executableDirectory: directory.appendingPathComponent("release"), searchPath: []))
        let executor = PluginToolExecutor(plugins: [plugin], configuration: configuration)
        addTeardownBlock { await executor.shutdown() }
        let result = await executor.call(ToolCall(id: "l", name: "linked.echo", arguments: ["text": "through the link"]))
        XCTAssertEqual(result.content, "through the link")
    }
}
