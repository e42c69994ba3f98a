/// One turn of a conversation, as the model sees it.
public struct Message: Codable, Hashable, Sendable {
    /// Who speaks.
    public enum Role: String, Codable, Sendable { case system, user, assistant, tool }

    /// Who speaks.
    public var role: Role
    /// The text of the turn.
    public var content: String
    /// Tool calls the assistant made in this turn (assistant turns only).
    public var toolCalls: [ToolCall]
    /// For `tool` turns: the id of the call this answers.
    public var toolCallID: String?

    /// Creates a message.
    public init(role: Role, content: String, toolCalls: [ToolCall] = [], toolCallID: String? = nil) {
        self.role = role
        self.content = content
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
    }

    /// A system message.
    public static func system(_ text: String) -> Message { Message(role: .system, content: text) }
    /// A user message.
    public static func user(_ text: String) -> Message { Message(role: .user, content: text) }
    /// An assistant message.
    public static func assistant(_ text: String, toolCalls: [ToolCall] = []) -> Message {
        Message(role: .assistant, content: text, toolCalls: toolCalls)
    }
    /// A tool result turn.
    public static func tool(_ text: String, callID: String?) -> Message {
        Message(role: .tool, content: text, toolCallID: callID)
    }
}

/// A tool the model may call, as offered to it: the qualified name, a description and the argument schema.
public struct ToolSpec: Codable, Hashable, Sendable {
    /// The plugin that serves the tool.
    public var plugin: String
    /// The tool's name inside its plugin.
    public var name: String
    /// What the tool does (untrusted text from the plugin, capped in size by the host).
    public var description: String
    /// JSON Schema of the arguments object.
    public var inputSchema: JSONValue

    /// Creates a tool spec.
    public init(plugin: String, name: String, description: String, inputSchema: JSONValue) {
        self.plugin = plugin
        self.name = name
        self.description = description
        self.inputSchema = inputSchema
    }
}

/// A request by the model to run one tool.
public struct ToolCall: Codable, Hashable, Sendable {
    /// A run-unique id for this call (e.g. `call-3` or a plan step id).
    public var id: String
    /// The tool's name.
    public var name: String
    /// The arguments object.
    public var arguments: JSONValue

    /// Creates a tool call.
    public init(id: String, name: String, arguments: JSONValue) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// The outcome of a tool call. Failures are data: a crashed plugin or bad arguments is a result with `isError`.
public struct ToolResult: Codable, Hashable, Sendable {
    /// The call this answers.
    public var callID: String
    /// The plugin that ran it (provenance).
    public var plugin: String
    /// The tool that ran.
    public var tool: String
    /// Text for the model (untrusted data).
    public var content: String
    /// Whether the call failed.
    public var isError: Bool
    /// Optional structured result.
    public var structured: JSONValue?
    /// Wall time of the call in seconds.
    public var durationSeconds: Double
    /// What the host noticed about how this result came about, for the model and the trace: the plugin
    /// was restarted for this call, or it exited with an error status after answering. Host text, not
    /// plugin text; nil when there is nothing to say (and then absent from the trace).
    public var warnings: [String]?

    /// Creates a result.
    public init(callID: String, plugin: String, tool: String, content: String, isError: Bool,
                structured: JSONValue? = nil, durationSeconds: Double = 0, warnings: [String]? = nil) {
        self.callID = callID
        self.plugin = plugin
        self.tool = tool
        self.content = content
        self.isError = isError
        self.structured = structured
        self.durationSeconds = durationSeconds
        self.warnings = warnings
    }

    /// Whether the call failed or, for a tool that runs a program, the program did: `isError`, or a
    /// structured `exit_code` that is not 0 (null when a signal or limit killed the program). That is the
    /// convention of program runners such as code-runner, whose failed programs are ordinary results
    /// the model must read.
    public var failed: Bool {
        if isError { return true }
        guard case .object(let fields)? = structured, let code = fields["exit_code"] else { return false }
        return code.intValue != 0
    }
}
