import AgentCore
import Foundation

/// A tool as a plugin lists it (`tools/list`).
public struct PluginToolInfo: Codable, Hashable, Sendable {
    /// The tool's name inside its plugin.
    public var name: String
    /// Its description (untrusted plugin text, capped).
    public var description: String
    /// JSON Schema of its arguments.
    public var inputSchema: JSONValue
}

/// One running plugin process: spawned under its sandbox, MCP handshake done, tools listed.
///
/// Created by `PluginSession.start`; every failure after that is reported per call, never thrown.
final class PluginSession: @unchecked Sendable {
    /// The plugin's manifest.
    let manifest: Manifest
    /// The tools the plugin listed at start.
    let tools: [PluginToolInfo]
    /// The server's `serverInfo` (name and version), when given.
    let serverInfo: JSONValue?

    private let child: ChildProcess
    private let connection: RPCConnection
    private let plan: LaunchPlan
    private let stopLock = NSLock()
    private var stopped = false
    private var stopReason: String?

    /// The MCP protocol version Loom asks for.
    static let protocolVersion = "2025-03-26"

    private init(manifest: Manifest, tools: [PluginToolInfo], serverInfo: JSONValue?, child: ChildProcess,
                 connection: RPCConnection, plan: LaunchPlan) {
        self.manifest = manifest
        self.tools = tools
        self.serverInfo = serverInfo
        self.child = child
        self.connection = connection
        self.plan = plan
    }

    /// Spawns the plugin and runs `initialize`, `notifications/initialized` and `tools/list`.
    ///
    /// - Throws: `PluginHostError.launchFailed` or `.handshakeFailed` with the reason and stderr tail.
    static func start(manifest: Manifest, plan: LaunchPlan, limits: PluginHostLimits) async throws -> PluginSession {
        let child: ChildProcess
        do { child = try ChildProcess.spawn(plan, name: manifest.name) } catch {
            plan.removeHostResources()
            throw error
        }
        let box = SessionBox()
        let connection = RPCConnection(child: child, maxOutputBytes: manifest.sandbox.maxOutputBytes) { _ in
            box.session?.stop(reason: nil) ?? child.killGroup()
        }
        let timeout = min(manifest.sandbox.wallSeconds, limits.startSeconds)
        func fail(_ step: String, _ failure: RPCFailure) -> PluginHostError {
            child.killGroup()
            _ = connection.waitUntilClosed(seconds: 1)
            let status = ChildProcess.describe(status: child.wait())
            _ = connection.waitForStderrEnd(seconds: 1)
            plan.removeHostResources()
            let stderr = connection.stderrExcerpt
            var reason = Self.explain(failure, plugin: manifest.name, status: status, stderr: stderr)
            if let executable = plan.executable,
               let hint = StartupDiagnosis.hint(stderr: stderr, manifest: manifest, executable: executable,
                                                visiblePaths: plan.visiblePaths) {
                reason += "; \(hint)"
            }
            return .handshakeFailed(plugin: manifest.name, reason: "\(step): \(reason)")
        }
        let initialize: JSONValue = [
            "protocolVersion": .string(protocolVersion), "capabilities": [:],
            "clientInfo": ["name": "loom", "version": "0.1.0"],
        ]
        let serverInfo: JSONValue?
        switch await connection.request("initialize", params: initialize, timeout: timeout) {
        case .failure(let failure): throw fail("initialize", failure)
        case .success(let result): serverInfo = result["serverInfo"]
        }
        connection.notify("notifications/initialized")
        var tools: [PluginToolInfo] = []
        var cursor: JSONValue?
        for _ in 0..<limits.maxToolPages {
            let params: JSONValue = cursor.map { ["cursor": $0] } ?? [:]
            switch await connection.request("tools/list", params: params, timeout: timeout) {
            case .failure(let failure): throw fail("tools/list", failure)
            case .success(let result):
                guard let list = result["tools"]?.arrayValue else {
                    throw fail("tools/list", .invalidMessage(excerpt: "result has no 'tools' array: \(result.compactText.prefix(200))"))
                }
                for item in list {
                    // Tool names reach prompts: only MCP's name characters, so a name cannot carry text.
                    guard let name = item["name"]?.stringValue, isValidToolName(name) else { continue }
                    tools.append(PluginToolInfo(name: name,
                                                description: limits.cap(item["description"]?.stringValue ?? "", to: limits.descriptionCharacters),
                                                inputSchema: limits.capSchema(item["inputSchema"])))
                }
                cursor = result["nextCursor"].flatMap { $0 == .null ? nil : $0 }
            }
            if cursor == nil || tools.count >= limits.maxTools { break }
        }
        let session = PluginSession(manifest: manifest, tools: Array(tools.prefix(limits.maxTools)),
                                    serverInfo: serverInfo, child: child, connection: connection,
                                    plan: plan)
        box.session = session
        return session
    }

    /// MCP tool names: 1 to 128 of `A-Z a-z 0-9 _ - .`.
    static func isValidToolName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 128 && name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2D || byte == 0x2E
        }
    }

    /// Whether the process is still running and the connection open.
    var isAlive: Bool {
        stopLock.lock()
        let wasStopped = stopped
        stopLock.unlock()
        return !wasStopped && connection.closedReason == nil && !child.hasExited
    }

    /// Why the session ended, for the model and the trace ("exited with status 1; stderr: ...").
    var deathReason: String {
        stopLock.lock()
        let reason = stopReason
        stopLock.unlock()
        if let reason { return reason }
        if let status = exitStatus { return "plugin '\(manifest.name)' \(ChildProcess.describe(status: status))" }
        return "plugin '\(manifest.name)' is not running"
    }

    /// The process's wait status if it has exited, without blocking (nil while it runs).
    var exitStatus: Int32? {
        child.hasExited ? child.wait() : nil
    }

    /// Calls `tools/call`; every failure becomes a `CallOutcome.failed` with a readable message.
    func call(tool: String, arguments: JSONValue, timeout: Double) async -> CallOutcome {
        let params: JSONValue = ["name": .string(tool), "arguments": arguments]
        switch await connection.request("tools/call", params: params, timeout: timeout) {
        case .success(let result):
            return .completed(result)
        case .failure(.remote(let code, let message)):
            return .failed("plugin '\(manifest.name)' rejected the call (JSON-RPC error \(code)): \(message)", fatal: false)
        case .failure(let failure):
            if case .timeout = failure { stop(reason: nil) }
            _ = connection.waitUntilClosed(seconds: 2)
            child.killGroup()
            let status = ChildProcess.describe(status: child.wait())
            _ = connection.waitForStderrEnd(seconds: 1)
            let reason = Self.explain(failure, plugin: manifest.name, status: status, stderr: connection.stderrExcerpt)
            stop(reason: reason)
            return .failed(reason, fatal: true)
        }
    }

    /// Stops the plugin: closes stdin, kills its process group, reaps it and removes its temp dir and
    /// pids cgroup.
    func stop(reason: String?) {
        stopLock.lock()
        if stopReason == nil, let reason { stopReason = reason }
        let already = stopped
        stopped = true
        stopLock.unlock()
        if already { return }
        child.closeInput()
        child.killGroup()
        child.wait()
        plan.removeHostResources()
    }

    /// Turns a transport failure into one sentence the model can act on.
    static func explain(_ failure: RPCFailure, plugin: String, status: String, stderr: String) -> String {
        let tail = stderr.isEmpty ? "" : "; its stderr ends: \(stderr.suffix(400))"
        switch failure {
        case .timeout(let seconds):
            return "plugin '\(plugin)' did not answer within \(format(seconds)) s (wall-clock limit) and was stopped"
        case .flood(let limit):
            return "plugin '\(plugin)' wrote more than \(limit) bytes to stdout (max_output_bytes) and was stopped"
        case .invalidMessage(let excerpt):
            return "plugin '\(plugin)' wrote invalid JSON-RPC and was stopped: \(excerpt)"
        case .closed, .writeFailed:
            return "plugin '\(plugin)' \(status)\(tail)"
        case .remote(let code, let message):
            return "plugin '\(plugin)' answered with JSON-RPC error \(code): \(message)"
        }
    }

    private static func format(_ seconds: Double) -> String {
        seconds == seconds.rounded() ? String(Int(seconds)) : String(format: "%.1f", seconds)
    }

    /// The outcome of one `tools/call`.
    enum CallOutcome: Sendable {
        /// The plugin answered with an MCP `CallToolResult` object (which may have `isError`).
        case completed(JSONValue)
        /// No usable answer; `fatal` means the plugin was stopped.
        case failed(String, fatal: Bool)
    }
}

/// Lets the connection's fatal-error callback reach the session created after it.
private final class SessionBox: @unchecked Sendable {
    private let lock = NSLock()
    private weak var value: PluginSession?

    var session: PluginSession? {
        get { lock.lock(); defer { lock.unlock() }; return value }
        set { lock.lock(); value = newValue; lock.unlock() }
    }
}
