import Foundation
import MCP
import SystemPackage
import TestSupport
import XCTest

/// code-runner itself running inside an outer bubblewrap sandbox, the way PluginHost launches plugins
/// (`--unshare-all --proc /proc`, read-only system directories, private /tmp): the nested sandbox must work.
final class NestedSandboxTests: XCTestCase {
    /// The outer sandbox as PluginHost builds it, with the plugin started as root of its user namespace.
    func testNestedUnderAnOuterSandbox() async throws {
        let nested = try await NestedPlugin(dropToNobody: false)
        let answer = try await CodeRunnerHarness.call(nested.client, "run_python", ["code": """
            import os
            print(6 * 7, os.path.exists('/proc/self'), sorted(os.environ))
            """])
        let shell = try await CodeRunnerHarness.call(nested.client, "run_shell", ["script": "env; cat /proc/*/environ 2>&1 | head -3"])
        await nested.stop()
        XCTAssertFalse(answer.isError, answer.text)
        XCTAssertEqual(answer.exitCode, 0, answer.text)
        XCTAssertTrue(answer.stdout.hasPrefix("42 "), answer.text)
        XCTAssertFalse(answer.text.contains(nested.secret), answer.text)
        XCTAssertFalse(shell.text.contains(nested.secret), shell.text)
        if getuid() == 0 {
            // Root of a user namespace mapped onto host root: the kernel ignores RLIMIT_NPROC; reported.
            XCTAssertTrue(answer.warnings.contains { $0.contains("process-count limit") }, answer.text)
            // The outer `--proc /proc` (partly covered by bwrap) makes the kernel refuse a fresh inner /proc.
            XCTAssertEqual(answer.fields["proc"]?.boolValue, false, answer.text)
        }
    }

    /// As root, inside a pids cgroup of the host that says so (`LOOM_PIDS_MAX`, as PluginHost does when it
    /// enforces `max_processes`): no fork-bomb warning, and a fork bomb is contained by the cgroup.
    func testNestedAsRootInAPidsCgroupDoesNotWarnAndContainsForkBomb() async throws {
        guard getuid() == 0 else { throw XCTSkip("RLIMIT_NPROC binds a non-root user: covered by the other tests") }
        let hierarchy = URL(fileURLWithPath: "/sys/fs/cgroup/pids")
        guard access(hierarchy.appendingPathComponent("cgroup.procs").path, W_OK) == 0 else {
            try TestModels.requirement("running as root, this test needs a writable cgroup v1 pids hierarchy")
            return
        }
        let group = hierarchy.appendingPathComponent("loom-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: group, withIntermediateDirectories: false)
        try Data("40\n".utf8).write(to: group.appendingPathComponent("pids.max"))
        let nested = try await NestedPlugin(dropToNobody: false, pidsCgroup: (group, 32))
        // Not renamed: a sandbox nested under root has no /proc of its own.
        let bomb = try await CodeRunnerHarness.call(nested.client, "run_python",
                                                    ["code": .string(forkBomb(named: nil)), "timeout_s": 3])
        let next = try await CodeRunnerHarness.call(nested.client, "run_python", ["code": "print(6 * 7)"])
        await nested.stop()
        for _ in 0..<100 where rmdir(group.path) != 0 { usleep(20_000) }
        XCTAssertFalse(bomb.warnings.contains { $0.contains("process-count limit") }, bomb.text)
        XCTAssertTrue(bomb.stderr.contains("fork failed"), "the cgroup stopped the fork bomb: \(bomb.text)")
        XCTAssertEqual(next.stdout, "42\n", next.text)
        XCTAssertFalse(next.warnings.contains { $0.contains("process-count limit") }, next.text)
    }

    /// The outer sandbox started as an unprivileged host user: the nested fork bomb is contained too.
    func testNestedAsUnprivilegedUserContainsForkBomb() async throws {
        guard getuid() == 0 else { throw XCTSkip("already unprivileged: covered by testNestedUnderAnOuterSandbox") }
        let nested = try await NestedPlugin(dropToNobody: true)
        let bomb = try await CodeRunnerHarness.call(nested.client, "run_python",
                                                    ["code": .string(forkBomb(named: "nestedbomb")), "timeout_s": 3])
        let next = try await CodeRunnerHarness.call(nested.client, "run_python", ["code": "print(6 * 7)"])
        await nested.stop()
        XCTAssertTrue(bomb.warnings.isEmpty, bomb.text)
        XCTAssertTrue(bomb.limitsHit.contains("processes"), bomb.text)
        XCTAssertEqual(next.stdout, "42\n", next.text)
    }
}

/// Starts the built code-runner under an outer bwrap and connects an MCP client to it.
final class NestedPlugin: @unchecked Sendable {
    let client = Client(name: "loom-tests", version: "0")
    let secret = "loom-secret-\(UUID().uuidString)"
    private let process = Process()
    private let toChild = Pipe()
    private let fromChild = Pipe()

    /// - Parameter pidsCgroup: a pids cgroup to start the outer sandbox in, and the cap announced to the
    ///   plugin in `LOOM_PIDS_MAX` (as PluginHost does as root).
    init(dropToNobody: Bool, pidsCgroup: (group: URL, announced: Int)? = nil) async throws {
        try CodeRunnerHarness.requireBubblewrap()
        let executable = Repository.productsDirectory.appendingPathComponent("code-runner").path
        let products = Repository.productsDirectory.path
        var outer = ["--unshare-all", "--die-with-parent", "--new-session", "--proc", "/proc", "--dev", "/dev",
                     "--ro-bind", "/usr", "/usr"]
        for link in ["/bin", "/sbin", "/lib", "/lib64"] {
            if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: link) {
                outer += ["--symlink", target, link]
            } else {
                outer += ["--ro-bind-try", link, link]
            }
        }
        // The private /tmp comes before the binds, so a build under /tmp stays visible.
        outer += ["--tmpfs", "/tmp"]
        for directory in Self.swiftRuntimeDirectories() + [products] { outer += ["--ro-bind", directory, directory] }
        outer += ["--remount-ro", "/", "--chdir", "/tmp", "--clearenv",
                  "--setenv", "PATH", "/usr/bin:/bin", "--setenv", "LOOM_TEST_SECRET", secret]
        if let pidsCgroup { outer += ["--setenv", "LOOM_PIDS_MAX", "\(pidsCgroup.announced)"] }
        outer += ["--", executable]
        if let pidsCgroup {
            // Joins the group, then starts the sandbox: what PluginHost's `PidsCgroup.wrapper` does.
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", pidsCgroup.group.path,
                                 "/usr/bin/bwrap"] + outer
        } else if dropToNobody {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setpriv")
            process.arguments = ["--reuid=65534", "--regid=65534", "--clear-groups", "--", "/usr/bin/bwrap"] + outer
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/bwrap")
            process.arguments = outer
        }
        process.standardInput = toChild
        process.standardOutput = fromChild
        process.standardError = FileHandle.standardError
        try process.run()
        // Ends with an error if the plugin cannot start inside the outer sandbox, instead of spinning.
        let transport = EndOfStreamTransport(input: fromChild.fileHandleForReading.fileDescriptor,
                                             output: toChild.fileHandleForWriting.fileDescriptor)
        _ = try await client.connect(transport: transport)
    }

    /// Directories of the Swift runtime libraries this test process (built by the same toolchain) uses.
    static func swiftRuntimeDirectories() -> [String] {
        // procfs reports size 0; read to the end rather than by the reported size.
        let data = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: "/proc/self/maps")).readToEnd()) ?? nil
        let maps = String(decoding: data ?? Data(), as: UTF8.self)
        let libraries = maps.split(separator: "\n").compactMap { line -> String? in
            guard let path = line.split(separator: " ", omittingEmptySubsequences: true).last,
                  path.hasPrefix("/"), path.contains("libswiftCore.so") || path.contains("libFoundation") else { return nil }
            return URL(fileURLWithPath: String(path)).deletingLastPathComponent().path
        }
        return Array(Set(libraries)).filter { !$0.hasPrefix("/usr/") }.sorted()
    }

    func stop() async {
        await client.disconnect()
        try? toChild.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }
}
