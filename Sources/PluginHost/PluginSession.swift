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

/// One running MCP server: its transport open (a sandboxed process, or an HTTP session), the handshake
/// done, its tools listed.
///
/// Created by `PluginSession.start`; every failure after that is reported per call, never thrown.
final class PluginSession: @unchecked Sendable {
    /// The plugin's manifest.
    let manifest: Manifest
    /// The tools the plugin listed at start.
    let tools: [PluginToolInfo]
    /// The server's `serverInfo` (name and version), when given.
    let serverInfo: JSONValue?

    private let transport: PluginTransport
    private let stopLock = NSLock()
    private var stopped = false
    private var stopReason: String?
    /// Held while the plugin is torn down, so that a second `stop` returns only once the first is done.

    /// The MCP protocol version Loom asks for.
    static let protocolVersion = "2025-03-26"

    private init(manifest: Manifest, tools: [PluginToolInfo], serverInfo: JSONValue?, transport: PluginTransport) {
        self.manifest = manifest
        self.tools = tools
        self.serverInfo = serverInfo
        self.transport = transport
    }

    /// Runs `initialize`, `notifications/initialized` and `tools/list` over an opened transport.
    ///
    /// - Throws: `.handshakeFailed` with the reason (and, for a process, its stderr tail and start-up
    ///   diagnostics); the transport is stopped then.
    static func start(manifest: Manifest, transport: PluginTransport, limits: PluginHostLimits) async throws -> PluginSession {
        let timeout = min(manifest.sandbox.wallSeconds, limits.startSeconds)
        func fail(_ step: String, _ failure: RPCFailure) -> PluginHostError {
            let reason = transport.explain(failure, atStart: true)
            transport.stop()
            return .handshakeFailed(plugin: manifest.name, reason: "\(step): \(reason)")
        }
        let initialize: JSONValue = [
            "protocolVersion": .string(protocolVersion), "capabilities": [:],
            "clientInfo": ["name": "loom", "version": "0.1.0"],
        ]
        let serverInfo: JSONValue?
        switch await transport.request("initialize", params: initialize, timeout: timeout) {
        case .failure(let failure): throw fail("initialize", failure)
        case .success(let result): serverInfo = result["serverInfo"]
        }
        await transport.notify("notifications/initialized", params: nil)
        var tools: [PluginToolInfo] = []
        var cursor: JSONValue?
        for _ in 0..<limits.maxToolPages {
            let params: JSONValue = cursor.map { ["cursor": $0] } ?? [:]
            switch await transport.request("tools/list", params: params, timeout: timeout) {
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
        return PluginSession(manifest: manifest, tools: Array(tools.prefix(limits.maxTools)),
                             serverInfo: serverInfo, transport: transport)
    }

    /// MCP tool names: 1 to 128 of `A-Z a-z 0-9 _ - .`.
    static func isValidToolName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.count <= 128 && name.utf8.allSatisfy { byte in
            (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x61 && byte <= 0x7A)
                || byte == 0x5F || byte == 0x2D || byte == 0x2E
        }
    }

    /// Whether the server can still take calls (process running, connection or session open).
    var isAlive: Bool {
        stopLock.lock()
        let wasStopped = stopped
        stopLock.unlock()
        return !wasStopped && transport.isOpen
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

    /// The process's wait status if it has exited, without blocking (nil while it runs, and for HTTP).
    var exitStatus: Int32? { transport.exitStatus }

    /// Calls `tools/call`; every failure becomes a `CallOutcome.failed` with a readable message.
    func call(tool: String, arguments: JSONValue, timeout: Double) async -> CallOutcome {
        let params: JSONValue = ["name": .string(tool), "arguments": arguments]
        switch await transport.request("tools/call", params: params, timeout: timeout) {
        case .success(let result):
            return .completed(result)
        case .failure(.remote(let code, let message)):
            return .failed("plugin '\(manifest.name)' rejected the call (JSON-RPC error \(code)): \(message)", fatal: false)
        case .failure(let failure):
            let reason = transport.explain(failure, atStart: false)
            stop(reason: reason)
            return .failed(reason, fatal: true)
        }
    }

    /// Stops the plugin: ends its transport (kills the process group, reaps it, removes its temp dir and
    /// pids cgroup; or ends the HTTP session). Returns when that is done, also when another thread (the
    /// transport's own reader) started it.
    func stop(reason: String?) {
        stopLock.lock()
        if stopReason == nil, let reason { stopReason = reason }
        stopped = true
        stopLock.unlock()
        transport.stop()
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
        case .http(let detail):
            return "plugin '\(plugin)' \(detail)"
        }
    }

    static func format(_ seconds: Double) -> String {
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
