import Foundation
import MCP
import PluginKit

/// Starts one of Loom's plugin executables (unsandboxed, for the plugin's own tests) and talks MCP to it.
///
/// The sandboxed path is tested through `PluginHost`; this is the plugin's behaviour on its own.
public final class PluginProcess: @unchecked Sendable {
    /// The MCP client connected to the plugin.
    public let client: Client
    private let process: Process
    private let toChild: Pipe
    private let fromChild: Pipe

    /// Launches the built executable `name` (found next to the test bundle) with `arguments`.
    public init(executable name: String, arguments: [String] = [], environment: [String: String]? = nil) async throws {
        let url = Repository.productsDirectory.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: url.path) else {
            throw PluginProcessError.notBuilt(url.path)
        }
        process = Process()
        process.executableURL = url
        process.arguments = arguments
        if let environment { process.environment = environment }
        toChild = Pipe()
        fromChild = Pipe()
        process.standardInput = toChild
        process.standardOutput = fromChild
        process.standardError = FileHandle.standardError
        try process.run()
        // Blocking line reads (swift-sdk's StdioTransport polls a non-blocking pipe and can spin on long
        // replies), and an error at end of output so the SDK client's read loop stops.
        let transport = EndOfStreamTransport(input: fromChild.fileHandleForReading.fileDescriptor,
                                             output: toChild.fileHandleForWriting.fileDescriptor)
        client = Client(name: "loom-tests", version: "0")
        _ = try await client.connect(transport: transport)
    }

    /// Calls a tool and returns its text content joined, and whether it was an error.
    ///
    /// A call that has no reply after `callTimeout` seconds fails the test instead of hanging the suite
    /// (the MCP client can wait forever for a reply it missed; every plugin's own limits are far shorter).
    public func call(_ tool: String, _ arguments: [String: Value]) async throws -> (text: String, isError: Bool) {
        let client = self.client
        return try await Self.firstOf(seconds: Self.callTimeout, what: "the \(tool) call") {
            let (content, isError) = try await client.callTool(name: tool, arguments: arguments)
            let text = content.compactMap { item -> String? in
                if case .text(let text, _, _) = item { return text }
                return nil
            }.joined(separator: "\n")
            return (text, isError ?? false)
        }
    }

    /// Seconds a tool call may take in a test before it counts as hung.
    public static let callTimeout: Double = 300

    /// The result of `work`, or a `timedOut` error once `seconds` have passed without one (the work is
    /// then left running; a missed reply never arrives).
    static func firstOf<T: Sendable>(seconds: Double, what: String,
                                     _ work: @escaping @Sendable () async throws -> T) async throws -> T {
        let once = ResumeOnce()
        return try await withCheckedThrowingContinuation { continuation in
            Task {
                do {
                    let value = try await work()
                    if once.claim() { continuation.resume(returning: value) }
                } catch {
                    if once.claim() { continuation.resume(throwing: error) }
                }
            }
            Task {
                try? await Task.sleep(nanoseconds: UInt64(seconds * 1_000_000_000))
                if once.claim() { continuation.resume(throwing: PluginProcessError.timedOut(what: what, seconds: seconds)) }
            }
        }
    }

    /// Stops the plugin.
    public func stop() async {
        await client.disconnect()
        try? toChild.fileHandleForWriting.close()
        if process.isRunning { process.terminate() }
        process.waitUntilExit()
    }

    /// Whether the plugin process is still alive.
    public var isRunning: Bool { process.isRunning }
}

/// Errors starting a plugin in tests.
public enum PluginProcessError: Error, CustomStringConvertible {
    case notBuilt(String)
    case timedOut(what: String, seconds: Double)

    public var description: String {
        switch self {
        case .notBuilt(let path): return "plugin executable not built at \(path); run swift build first"
        case .timedOut(let what, let seconds): return "\(what) had no reply after \(Int(seconds)) s (hung)"
        }
    }
}

/// Lets exactly one of several racing tasks resume a continuation.
final class ResumeOnce: @unchecked Sendable {
    private let lock = NSLock()
    private var claimed = false

    /// True for the first caller only.
    func claim() -> Bool {
        lock.lock()
        defer { lock.unlock() }
        if claimed { return false }
        claimed = true
        return true
    }
}
