import AgentCore

/// A chat format recognised from the Jinja text in `tokenizer.chat_template`.
///
/// Loom does not run Jinja: it recognises the family of a template and renders conversations the
/// way that template would, piece by piece, so that message contents are never parsed for control
/// tokens. Rendering follows Qwen2.5's template (ChatML plus its tool format); for a plain ChatML
/// template (SmolLM2) the output is identical for conversations without tools, and tools use the
/// same format, since the template has none of its own.
public struct ChatTemplate: Sendable, Equatable {
    /// The template families Loom renders.
    public enum Family: String, Sendable {
        /// ChatML with Qwen2.5's tool format: `<tools>` in the system turn, `<tool_call>` and `<tool_response>`.
        case qwen2_5 = "qwen2.5"
        /// ChatML without a tool format of its own (SmolLM2).
        case chatML = "chatml"
    }

    /// The recognised family.
    public let family: Family
    /// The system prompt the template writes when the conversation has none, if it has one
    /// (Qwen2.5: "You are Qwen, created by Alibaba Cloud. You are a helpful assistant.").
    public let defaultSystemPrompt: String?
    /// Why ChatML is used although the template was not recognised; nil when it was recognised.
    public let fallbackReason: String?
    /// The text between the system prompt and the tool list, as the template writes it.
    public let toolsPreamble: String
    /// The text after the tool list, closing the system turn, as the template writes it.
    public let toolsPostamble: String

    /// Creates a template of a known family with Qwen2.5's tool texts.
    public init(family: Family, defaultSystemPrompt: String?) {
        self.family = family
        self.defaultSystemPrompt = defaultSystemPrompt
        fallbackReason = nil
        toolsPreamble = Self.qwenToolsPreamble
        toolsPostamble = Self.qwenToolsPostamble
    }

    /// Recognises the family of a Jinja chat template.
    /// - Parameters:
    ///   - jinja: the template text (nil when the model has none).
    ///   - allowFallback: use plain ChatML for an unrecognised template (see `fallbackReason`)
    ///     instead of throwing.
    /// - Throws: `TokenizerError.unknownChatTemplate` when unrecognised and no fallback is allowed.
    public init(jinja: String?, allowFallback: Bool = false) throws {
        let isChatML = jinja.map { $0.contains("<|im_start|>") && $0.contains("<|im_end|>") } ?? false
        guard let jinja, isChatML else {
            let excerpt = String((jinja ?? "(no template)").prefix(80))
            guard allowFallback else { throw TokenizerError.unknownChatTemplate(excerpt: excerpt) }
            family = .chatML
            defaultSystemPrompt = nil
            fallbackReason = "unrecognised chat template \(excerpt.debugDescription); using plain ChatML"
            toolsPreamble = Self.qwenToolsPreamble
            toolsPostamble = Self.qwenToolsPostamble
            return
        }
        let hasQwenTools = ["<tools>", "<tool_call>", "<tool_response>"].allSatisfy { jinja.contains($0) }
        family = hasQwenTools ? .qwen2_5 : .chatML
        fallbackReason = nil
        let literals = JinjaLiterals.strings(in: jinja)
        defaultSystemPrompt = Self.systemPrompt(in: literals)
        // Templates differ in details here (Qwen2.5-Coder-1.5B writes `{{"name": ...}}` with doubled
        // braces), so the texts are taken from the template itself when it has them.
        toolsPreamble = (hasQwenTools ? literals.first { $0.hasPrefix("\n\n# Tools") } : nil) ?? Self.qwenToolsPreamble
        toolsPostamble = (hasQwenTools ? literals.first { $0.hasPrefix("\n</tools>") } : nil) ?? Self.qwenToolsPostamble
    }

    /// Renders a conversation as prompt pieces (template structure and untrusted content apart).
    /// - Parameters:
    ///   - messages: the conversation; a first `system` message replaces the default system prompt.
    ///   - tools: tools to list in the system turn (none: no tool section).
    ///   - addGenerationPrompt: end with an open assistant turn.
    ///   - prefill: text the assistant turn already starts with.
    public func render(_ messages: [Message], tools: [ToolSpec] = [], addGenerationPrompt: Bool = true,
                       prefill: String = "") -> [PromptPiece] {
        var out: [PromptPiece] = []
        func template(_ text: String) { out.append(.template(text)) }
        func content(_ text: String) { if !text.isEmpty { out.append(.content(text)) } }

        let explicitSystem = messages.first?.role == .system ? messages.first?.content : nil
        if !tools.isEmpty {
            template("<|im_start|>system\n")
            content(explicitSystem ?? defaultSystemPrompt ?? "")
            template(toolsPreamble)
            for tool in tools {
                template("\n")
                content(Self.toolJSON(tool))
            }
            template(toolsPostamble)
        } else if let system = explicitSystem ?? defaultSystemPrompt {
            template("<|im_start|>system\n")
            content(system)
            template("<|im_end|>\n")
        }

        for (i, message) in messages.enumerated() {
            if i == 0 && message.role == .system { continue }
            switch message.role {
            case .user, .system:
                template("<|im_start|>\(message.role.rawValue)\n")
                content(message.content)
                template("<|im_end|>\n")
            case .assistant where message.toolCalls.isEmpty:
                template("<|im_start|>assistant\n")
                content(message.content)
                template("<|im_end|>\n")
            case .assistant:
                template("<|im_start|>assistant")
                if !message.content.isEmpty {
                    template("\n")
                    content(message.content)
                }
                for call in message.toolCalls {
                    template("\n<tool_call>\n{\"name\": \"")
                    content(call.name)
                    template("\", \"arguments\": ")
                    content(PythonJSON.dumps(call.arguments))
                    template("}\n</tool_call>")
                }
                template("<|im_end|>\n")
            case .tool:
                if i == 0 || messages[i - 1].role != .tool { template("<|im_start|>user") }
                template("\n<tool_response>\n")
                content(message.content)
                template("\n</tool_response>")
                if i == messages.count - 1 || messages[i + 1].role != .tool { template("<|im_end|>\n") }
            }
        }
        if addGenerationPrompt {
            template("<|im_start|>assistant\n")
            content(prefill)
        }
        return out
    }

    /// Qwen2.5's text before the tool list (verbatim from its template).
    static let qwenToolsPreamble = "\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n"
        + "You are provided with function signatures within <tools></tools> XML tags:\n<tools>"
    /// Qwen2.5's text after the tool list, closing the system turn (verbatim from its template).
    static let qwenToolsPostamble = "\n</tools>\n\nFor each function call, return a json object with function name and "
        + "arguments within <tool_call></tool_call> XML tags:\n<tool_call>\n{\"name\": <function-name>, "
        + "\"arguments\": <args-json-object>}\n</tool_call><|im_end|>\n"

    /// A tool as the template's `tool | tojson` writes it, in the OpenAI function format.
    static func toolJSON(_ tool: ToolSpec) -> String {
        PythonJSON.object([
            ("type", PythonJSON.quote("function")),
            ("function", PythonJSON.object([
                ("name", PythonJSON.quote(tool.name)),
                ("description", PythonJSON.quote(tool.description)),
                ("parameters", PythonJSON.dumps(tool.inputSchema)),
            ])),
        ])
    }

    /// The system prompt a template writes as one literal `<|im_start|>system\n…<|im_end|>`, if any.
    static func systemPrompt(in literals: [String]) -> String? {
        let open = "<|im_start|>system\n", close = "<|im_end|>"
        for literal in literals {
            guard let start = literal.range(of: open), let end = literal.range(of: close, range: start.upperBound..<literal.endIndex),
                  start.upperBound < end.lowerBound else { continue }
            return String(literal[start.upperBound..<end.lowerBound])
        }
        return nil
    }
}

extension Array where Element == PromptPiece {
    /// The prompt as one string (what `Completion.prompt` records).
    public var text: String { map(\.text).joined() }
}
