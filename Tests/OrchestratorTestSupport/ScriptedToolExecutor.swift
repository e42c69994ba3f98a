import AgentCore
import Foundation

/// A tool executor that answers from a handler and records every call; it also measures how many
/// calls were in flight at once, so tests can prove that independent steps overlap.
public actor ScriptedToolExecutor: ToolExecutor {
    /// Computes a call's result: the content and whether it is an error.
    public typealias Handler = @Sendable (ToolCall) async -> (content: String, isError: Bool)

    private let specs: [ToolSpec]
    private let handler: Handler
    private var inFlight = 0
    /// The most calls that ran at the same time.
    public private(set) var maxInFlight = 0
    /// Every call received, in the order they started.
    public private(set) var calls: [ToolCall] = []

    /// Creates an executor offering `tools`, answering with `handler`.
    public init(tools: [ToolSpec], handler: @escaping Handler) {
        specs = tools
        self.handler = handler
    }

    /// The tools it was created with.
    public func tools() async throws -> [ToolSpec] { specs }

    /// Records the call and answers with the handler's result (the plugin is the one offering the tool).
    public func call(_ call: ToolCall) async -> ToolResult {
        calls.append(call)
        inFlight += 1
        maxInFlight = max(maxInFlight, inFlight)
        let (content, isError) = await handler(call)
        inFlight -= 1
        let plugin = specs.first { $0.name == call.name }?.plugin ?? ""
        return ToolResult(callID: call.id, plugin: plugin, tool: call.name, content: content, isError: isError,
                          durationSeconds: 0)
    }
}
