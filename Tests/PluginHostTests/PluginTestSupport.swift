import AgentCore
import Foundation
import PluginHost
import TestSupport
import XCTest

/// Builds manifests for the probe fixture and executors over them.
enum Probe {
    /// The fixture MCP server script.
    static var script: URL {
        Repository.root.appendingPathComponent("Tests/PluginHostTests/Fixtures/probe.py")
    }

    /// A fresh temporary directory, removed at the end of the test.
    static func temporaryDirectory(_ test: XCTestCase) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("loom-ph-test-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    /// Writes a manifest (a JSON object) to `directory/manifest.json` and returns its URL.
    static func writeManifest(_ document: JSONValue, in directory: URL, file: String = "manifest.json") throws -> URL {
        let url = directory.appendingPathComponent(file)
        try Data(document.prettyText.utf8).write(to: url)
        return url
    }

    /// A probe manifest document with `sandbox` overrides.
    static func manifest(name: String = "probe", mode: String? = nil, sandbox: [String: JSONValue] = [:],
                         tools: [String]? = nil) -> JSONValue {
        var base: [String: JSONValue] = ["network": false, "filesystem": "none", "cpu_seconds": 10, "memory_mb": 512,
                                         "wall_seconds": 10, "max_output_bytes": 1_048_576]
        base.merge(sandbox) { _, new in new }
        var object: [String: JSONValue] = [
            "name": .string(name), "version": "1.0.0", "description": "probe fixture",
            "command": .array([.string(script.path)] + (mode.map { [.string($0)] } ?? [])),
            "sandbox": .object(base),
        ]
        if let tools { object["tools"] = .array(tools.map { .string($0) }) }
        return .object(object)
    }

    /// A registered probe plugin (manifest written into a temp dir).
    static func plugin(_ test: XCTestCase, name: String = "probe", mode: String? = nil,
                       sandbox: [String: JSONValue] = [:]) throws -> RegisteredPlugin {
        let directory = try temporaryDirectory(test)
        let url = try writeManifest(manifest(name: name, mode: mode, sandbox: sandbox), in: directory)
        return RegisteredPlugin(manifest: try Manifest.load(from: url), manifestURL: url, source: .user)
    }

    /// The sandboxed launcher (bubblewrap is required: a missing bwrap skips locally and fails in CI).
    static func launcher() throws -> SandboxLauncher {
        do { return try SandboxLauncher.detect(allowUnsandboxed: false) } catch {
            try TestModels.requirement("bubblewrap is required for sandbox tests: \(error)")
            throw error
        }
    }

    /// An executor over `plugins`, shut down at the end of the test.
    static func executor(_ test: XCTestCase, _ plugins: [RegisteredPlugin],
                         limits: PluginHostLimits = PluginHostLimits(),
                         environment: [String: [String: String]] = [:],
                         hostEnvironment: [String: String]? = nil) throws -> PluginToolExecutor {
        var sandbox = try launcher()
        if let hostEnvironment { sandbox.hostEnvironment = hostEnvironment }
        let configuration = PluginToolExecutor.Configuration(
            launcher: sandbox,
            resolver: CommandResolver(executableDirectory: Repository.productsDirectory, searchPath: ["/usr/bin", "/bin"]),
            limits: limits, environment: environment)
        let executor = PluginToolExecutor(plugins: plugins, configuration: configuration)
        test.addTeardownBlock { await executor.shutdown() }
        return executor
    }
}

/// Whether a process with this pid exists.
func processExists(_ pid: Int32) -> Bool {
    kill(pid, 0) == 0 || errno == EPERM
}

/// This process's resident set size in bytes now (from `/proc/self/statm`), or nil where it is unreadable.
func residentBytes() -> Int? {
    guard let data = FileManager.default.contents(atPath: "/proc/self/statm") else { return nil }
    let fields = String(decoding: data, as: UTF8.self).split(separator: " ")
    guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
    return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
}

/// Samples this process's resident set size every few milliseconds until stopped and keeps the largest.
///
/// `getrusage`'s `ru_maxrss` is a peak over the whole process life, so an earlier test's peak would hide
/// growth; sampling the current size while something runs measures that thing alone.
final class ResidentPeakSampler: @unchecked Sendable {
    private let lock = NSLock()
    private var peak = 0
    private var running = true
    private let finished = DispatchSemaphore(value: 0)

    /// Starts sampling at once.
    init() {
        peak = residentBytes() ?? 0
        Thread { [self] in
            while true {
                let now = residentBytes() ?? 0
                lock.lock()
                peak = max(peak, now)
                let keepGoing = running
                lock.unlock()
                if !keepGoing { break }
                usleep(2000)
            }
            finished.signal()
        }.start()
    }

    /// Stops sampling and returns the largest resident size seen, in bytes.
    func stop() -> Int {
        lock.lock()
        running = false
        lock.unlock()
        finished.wait()
        lock.lock()
        defer { lock.unlock() }
        return peak
    }
}

/// Pids of processes whose command line contains `marker`.
func processes(containing marker: String) -> [Int32] {
    let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
    return entries.compactMap { Int32($0) }.filter { pid in
        guard pid != getpid(), let data = FileManager.default.contents(atPath: "/proc/\(pid)/cmdline") else { return false }
        let text = String(decoding: data.map { $0 == 0 ? 0x20 : $0 }, as: UTF8.self)
        return text.contains(marker)
    }
}

/// A TCP listener on 127.0.0.1 that greets every connection with "hi" (for network-isolation tests).
final class LoopbackListener: @unchecked Sendable {
    /// The port it listens on.
    let port: Int
    private let fd: Int32

    init() throws {
        let socketFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        fd = socketFD
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
                bind(socketFD, pointer, length) == 0 && listen(socketFD, 8) == 0 && getsockname(socketFD, pointer, &length) == 0
            }
        }
        guard bound else { throw POSIXError(.EADDRNOTAVAIL) }
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread {
            while true {
                let client = accept(socketFD, nil, nil)
                if client < 0 { return }
                _ = "hi".withCString { send(client, $0, 2, Int32(MSG_NOSIGNAL)) }
                Glibc.close(client)
            }
        }.start()
    }

    /// Stops listening.
    func close() { shutdown(fd, Int32(SHUT_RDWR)); Glibc.close(fd) }
}
