import AgentCore
import Foundation

/// Runs tool calls on MCP plugins — sandboxed processes over stdio, or servers over HTTP (a manifest with
/// `url`) — behind one `PluginTransport`: starts each plugin on first use, reuses it for the run,
/// restarts it after a crash (at most `PluginHostLimits.restarts` times per run) and stops every plugin on
/// `shutdown()` (or when the executor is freed).
///
/// `call(_:)` never throws: an unknown tool, bad arguments, a crash, a hang, a stdout flood, invalid
/// JSON-RPC or an `isError` answer all come back as a `ToolResult` with `isError: true`, a message the
/// model can read, its provenance (plugin, tool, call id) and `durationSeconds`.
///
/// What the host notices besides the answer goes into the result's `warnings`, which the model and the
/// trace see: the plugin was restarted for this call (restart n of the limit), or it exited with an error
/// status after answering. An answer followed by such an exit is still used: the answer is complete and
/// valid; the warning says the plugin failed after giving it (see docs/plugins.md, "Failures are data").
public actor PluginToolExecutor: ToolExecutor {
    /// How plugins are launched and limited.
    public struct Configuration: Sendable {
        /// Builds the sandboxed command line.
        public var launcher: SandboxLauncher
        /// Finds plugin executables.
        public var resolver: CommandResolver
        /// Caps and restart policy.
        public var limits: PluginHostLimits
        /// Extra environment per plugin name (e.g. `["web-fetch": ["LOOM_WEB_FETCH_ALLOW_HOSTS": "..."]]`).
        public var environment: [String: [String: String]]

        /// Creates a configuration.
        public init(launcher: SandboxLauncher, resolver: CommandResolver, limits: PluginHostLimits = PluginHostLimits(),
                    environment: [String: [String: String]] = [:]) {
            self.launcher = launcher
            self.resolver = resolver
            self.limits = limits
            self.environment = environment
        }
    }

    private struct PluginState {
        var plugin: RegisteredPlugin
        var session: PluginSession?
        var starting: Task<PluginSession, Error>?
        var starts = 0
        var lastFailure: String?
        /// Whether the current session's end has been reported (by a failed call or a warning).
        var endReported = false
        /// Host warnings for the plugin's next result.
        var warnings: [String] = []
    }

    private let configuration: Configuration
    private var states: [String: PluginState] = [:]
    private let order: [String]
    private let reaper = SessionReaper()

    /// Creates an executor over `plugins` (names must be distinct; later duplicates are ignored).
    public init(plugins: [RegisteredPlugin], configuration: Configuration) {
        var states: [String: PluginState] = [:]
        var order: [String] = []
        for plugin in plugins where states[plugin.manifest.name] == nil {
            states[plugin.manifest.name] = PluginState(plugin: plugin)
            order.append(plugin.manifest.name)
        }
        self.states = states
        self.order = order
        self.configuration = configuration
    }

    /// Every plugin's tools, starting plugins that are not running yet.
    ///
    /// - Throws: the first plugin that cannot start (`PluginHostError`).
    public func tools() async throws -> [ToolSpec] {
        var specs: [ToolSpec] = []
        for name in order {
            let session = try await session(named: name)
            specs += session.tools.map { ToolSpec(plugin: name, name: $0.name, description: $0.description, inputSchema: $0.inputSchema) }
        }
        return specs
    }

    /// Starts plugin `name` (if needed) and returns what it listed.
    ///
    /// - Throws: `PluginHostError` when it cannot be started.
    public func start(pluginNamed name: String) async throws -> (tools: [PluginToolInfo], serverInfo: JSONValue?) {
        let session = try await session(named: name)
        return (session.tools, session.serverInfo)
    }

    /// Runs one call; see the type's documentation for how failures are reported.
    public func call(_ call: ToolCall) async -> ToolResult {
        await callReturningMCPResult(call).result
    }

    /// Runs one call and also returns the plugin's raw MCP `CallToolResult` object, when it sent one.
    public func callReturningMCPResult(_ call: ToolCall) async -> (result: ToolResult, mcp: JSONValue?) {
        let clock = ContinuousClock()
        let started = clock.now
        var mcp: JSONValue?
        func result(plugin: String, tool: String, _ text: String, isError: Bool, structured: JSONValue? = nil)
            -> (result: ToolResult, mcp: JSONValue?)
        {
            let elapsed = started.duration(to: clock.now)
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let warnings = states[plugin]?.warnings ?? []
            states[plugin]?.warnings = []
            return (ToolResult(callID: call.id, plugin: plugin, tool: tool,
                               content: configuration.limits.cap(text, to: configuration.limits.resultCharacters),
                               isError: isError, structured: structured, durationSeconds: seconds,
                               warnings: warnings.isEmpty ? nil : warnings), mcp)
        }
        let target: (plugin: String, tool: String)
        switch await resolve(call.name) {
        case .success(let found): target = found
        case .failure(let message): return result(plugin: "", tool: call.name, message.text, isError: true)
        }
        let arguments: JSONValue
        switch call.arguments {
        case .null: arguments = [:]
        case .object: arguments = call.arguments
        default:
            return result(plugin: target.plugin, tool: target.tool,
                          "arguments for \(target.tool) must be a JSON object, got \(FieldReader.describe(call.arguments))",
                          isError: true)
        }
        let session: PluginSession
        do { session = try await self.session(named: target.plugin) } catch {
            return result(plugin: target.plugin, tool: target.tool, "\(error)", isError: true)
        }
        guard let info = session.tools.first(where: { $0.name == target.tool }) else {
            return result(plugin: target.plugin, tool: target.tool,
                          "unknown tool '\(target.tool)'; plugin '\(target.plugin)' offers: \(session.tools.map(\.name).joined(separator: ", "))",
                          isError: true)
        }
        if let missing = Self.missingRequired(info.inputSchema, arguments) {
            return result(plugin: target.plugin, tool: target.tool,
                          "missing required argument '\(missing)' for \(target.tool); its input schema is \(info.inputSchema.compactText)",
                          isError: true)
        }
        let outcome = await session.call(tool: target.tool, arguments: arguments,
                                         timeout: session.manifest.sandbox.wallSeconds)
        switch outcome {
        case .failed(let message, let fatal):
            if fatal {
                states[target.plugin]?.lastFailure = message
                states[target.plugin]?.endReported = true
            }
            return result(plugin: target.plugin, tool: target.tool, message, isError: true)
        case .completed(let value):
            mcp = value
            if let status = session.exitStatus { noteExitAfterAnswer(target.plugin, status: status) }
            let (text, isError, structured) = MCPResult.flatten(value)
            return result(plugin: target.plugin, tool: target.tool, text, isError: isError, structured: structured)
        }
    }

    /// Stops every plugin process.
    public func shutdown() {
        for name in order {
            states[name]?.starting?.cancel()
            states[name]?.session?.stop(reason: "loom stopped the plugin")
        }
        reaper.stopAll()
    }

    // MARK: - Sessions

    private func session(named name: String) async throws -> PluginSession {
        guard var state = states[name] else {
            throw PluginHostError.unknownPlugin(name: name, known: order)
        }
        if let session = state.session, session.isAlive { return session }
        if let starting = state.starting { return try await starting.value }
        if let dead = state.session {
            if !state.endReported, let status = dead.exitStatus {
                // It ended between calls, after its last answer: say so once, on the next result.
                states[name] = state
                noteExitAfterAnswer(name, status: status)
                state = states[name] ?? state
            }
            state.lastFailure = state.endReported ? state.lastFailure ?? dead.deathReason : dead.deathReason
            dead.stop(reason: nil)
        }
        if state.starts > configuration.limits.restarts {
            throw PluginHostError.launchFailed(
                plugin: name, reason: "it failed \(state.starts) time(s) and is not restarted again in this run; "
                    + "last failure: \(state.lastFailure ?? "unknown")")
        }
        if state.starts > 0 {
            state.warnings.append("loom restarted plugin '\(name)' for this call (restart \(state.starts) of at most "
                                  + "\(configuration.limits.restarts) in this run) after it stopped")
        }
        state.starts += 1
        let plugin = state.plugin
        let configuration = configuration
        let task = Task { try await Self.launch(plugin, configuration) }
        state.starting = task
        state.session = nil
        states[name] = state
        do {
            let session = try await task.value
            states[name]?.starting = nil
            states[name]?.session = session
            states[name]?.endReported = false
            reaper.add(session)
            return session
        } catch {
            states[name]?.starting = nil
            states[name]?.lastFailure = "\(error)"
            throw error
        }
    }

    /// Records that plugin `name` exited with wait status `status` after answering: the answer stands; a
    /// status other than 0 becomes a warning on the next result (this call's, when it is noticed at once).
    private func noteExitAfterAnswer(_ name: String, status: Int32) {
        guard states[name]?.endReported == false else { return }
        states[name]?.endReported = true
        let how = ChildProcess.describe(status: status)
        states[name]?.lastFailure = "plugin '\(name)' \(how) after answering"
        if status != 0 {
            states[name]?.warnings.append("plugin '\(name)' \(how) after answering a call; its answer is used, "
                                          + "and the plugin is restarted for its next call")
        }
    }

    private static func launch(_ plugin: RegisteredPlugin, _ configuration: Configuration) async throws -> PluginSession {
        let manifest = plugin.manifest
        if let url = manifest.url {
            let transport = try HTTPTransport(manifest: manifest, url: url,
                                              environment: configuration.launcher.hostEnvironment)
            return try await PluginSession.start(manifest: manifest, transport: transport, limits: configuration.limits)
        }
        guard let command = manifest.command.first else {
            throw PluginHostError.launchFailed(plugin: manifest.name, reason: "empty command")
        }
        let executable = try configuration.resolver.resolve(command, manifestDirectory: plugin.manifestDirectory,
                                                            manifestFile: plugin.manifestURL.path)
        let plan = try configuration.launcher.plan(for: manifest, manifestDirectory: plugin.manifestDirectory,
                                                   executable: executable,
                                                   extraEnvironment: configuration.environment[manifest.name] ?? [:])
        let transport = try ProcessTransport(manifest: manifest, plan: plan)
        return try await PluginSession.start(manifest: manifest, transport: transport, limits: configuration.limits)
    }

    // MARK: - Tool names

    private struct Message: Error { let text: String }

    /// Finds the plugin serving `name`: `plugin.tool`, or a bare tool name offered by exactly one plugin.
    private func resolve(_ name: String) async -> Result<(plugin: String, tool: String), Message> {
        for separator in [".", "/", "__"] {
            if let range = name.range(of: separator), states[String(name[..<range.lowerBound])] != nil {
                return .success((String(name[..<range.lowerBound]), String(name[range.upperBound...])))
            }
        }
        var owners: [String] = []
        var startFailures: [String] = []
        for plugin in order {
            let tools = states[plugin]?.session?.tools.map(\.name) ?? states[plugin]?.plugin.manifest.tools
            if let tools, tools.contains(name) { owners.append(plugin); continue }
            guard tools == nil else { continue }
            do {
                if try await session(named: plugin).tools.contains(where: { $0.name == name }) { owners.append(plugin) }
            } catch {
                startFailures.append("\(error)")
            }
        }
        if owners.count == 1, let owner = owners.first { return .success((owner, name)) }
        if owners.count > 1 {
            return .failure(Message(text: "tool name '\(name)' is ambiguous; call it as one of: \(owners.map { "\($0).\(name)" }.joined(separator: ", "))"))
        }
        let known = order.flatMap { plugin in
            (states[plugin]?.session?.tools.map(\.name) ?? states[plugin]?.plugin.manifest.tools ?? []).map { "\(plugin).\($0)" }
        }
        let failures = startFailures.isEmpty ? "" : " (\(startFailures.joined(separator: "; ")))"
        return .failure(Message(text: "unknown tool '\(name)'; available tools: \(known.isEmpty ? "none" : known.joined(separator: ", "))\(failures)"))
    }

    /// The first `required` property of `schema` absent from `arguments`, if any.
    static func missingRequired(_ schema: JSONValue, _ arguments: JSONValue) -> String? {
        guard let required = schema["required"]?.arrayValue else { return nil }
        return required.compactMap(\.stringValue).first { arguments[$0] == nil }
    }
}

/// Stops every session it holds when freed, so a dropped executor leaves no plugin process behind.
final class SessionReaper: @unchecked Sendable {
    private let lock = NSLock()
    private var sessions: [PluginSession] = []

    func add(_ session: PluginSession) {
        lock.lock()
        sessions.append(session)
        lock.unlock()
    }

    func stopAll() {
        lock.lock()
        let all = sessions
        sessions.removeAll()
        lock.unlock()
        for session in all { session.stop(reason: "loom stopped the plugin") }
    }

    deinit { stopAll() }
}
