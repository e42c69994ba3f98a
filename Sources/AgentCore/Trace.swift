/// The record of one run, written as JSON Lines by a `TraceSink` (see docs/trace-format.md).
public enum Trace {
    /// The trace schema version written in every header.
    public static let schemaVersion = 1

    /// The first line of a trace: what ran, with what, and how.
    public struct Header: Codable, Hashable, Sendable {
        public var schemaVersion: Int
        public var loomVersion: String
        public var question: String
        public var agent: AgentDefinition
        public var model: ModelInfo
        public var tools: [ToolSpec]
        public var startedAt: String
        /// The trace this one was forked from, if any.
        public var parent: String?
        /// Seed of the run's own random generator (e.g. the untrusted-data boundary); replay reuses it.
        public var runSeed: UInt64?
        /// Each plugin's name and version.
        public var plugins: [PluginInfo]?

        /// Creates a header.
        public init(schemaVersion: Int = Trace.schemaVersion, loomVersion: String, question: String,
                    agent: AgentDefinition, model: ModelInfo, tools: [ToolSpec], startedAt: String,
                    parent: String? = nil, runSeed: UInt64? = nil, plugins: [PluginInfo]? = nil) {
            self.schemaVersion = schemaVersion
            self.loomVersion = loomVersion
            self.question = question
            self.agent = agent
            self.model = model
            self.tools = tools
            self.startedAt = startedAt
            self.parent = parent
            self.runSeed = runSeed
            self.plugins = plugins
        }
    }

    /// A plugin as recorded in a header: its name and version.
    public struct PluginInfo: Codable, Hashable, Sendable {
        /// The plugin's name.
        public var name: String
        /// The plugin's version.
        public var version: String

        /// Creates a plugin record.
        public init(name: String, version: String) {
            self.name = name
            self.version = version
        }
    }

    /// One model call: the request as sent and what came back.
    public struct ModelCall: Codable, Hashable, Sendable {
        /// What the call was for (e.g. "plan", "replan", "react", "answer").
        public var purpose: String
        public var request: CompletionRequest
        public var completion: Completion

        /// Creates a model-call record.
        public init(purpose: String, request: CompletionRequest, completion: Completion) {
            self.purpose = purpose
            self.request = request
            self.completion = completion
        }
    }

    /// One event of a run, in the order it happened.
    public enum Event: Codable, Hashable, Sendable {
        case header(Header)
        case modelCall(ModelCall)
        /// A validated plan (as JSON) from the planner; `replan` is true for a re-plan.
        case plan(steps: JSONValue, replan: Bool)
        case toolCall(call: ToolCall, result: ToolResult)
        /// The tools retrieval showed the model (qualified names) of how many offered, and the question's
        /// words it matched; recorded only when the catalog was too large to show whole.
        case toolSelection(selected: [String], offered: Int, terms: [String])
        case answer(text: String)
        case budgetStop(reason: String)
        case error(message: String)
        case summary(steps: Int, modelCalls: Int, generatedTokens: Int, seconds: Double)
    }
}

/// Receives trace events as they happen. A file sink writes and flushes one line per event.
public protocol TraceSink: Sendable {
    /// Records one event.
    func record(_ event: Trace.Event) async
}

/// A sink that keeps events in memory (for tests and replay comparison).
public actor MemoryTraceSink: TraceSink {
    /// Events recorded so far.
    public private(set) var events: [Trace.Event] = []

    /// Creates an empty sink.
    public init() {}

    public func record(_ event: Trace.Event) async { events.append(event) }
}
