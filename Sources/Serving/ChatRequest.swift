import AgentCore
import Foundation

/// A `POST /v1/chat/completions` body, checked: every field Loom acts on, with OpenAI's meaning.
///
/// Unknown fields are ignored, as OpenAI-compatible servers do. Sampling extensions that vLLM also
/// accepts (`top_k`, `min_p`, `repetition_penalty`) are read; so is vLLM's `continue_final_message`,
/// which makes a last assistant message the start of the answer instead of a finished turn.
public struct ChatRequest: Sendable {
    /// How tools may be used in the answer.
    public enum ToolChoice: Sendable, Equatable {
        /// The model writes text or calls tools, as it chooses.
        case auto
        /// Text only (tools are still listed in the prompt).
        case none
        /// At least one tool call.
        case required
        /// Exactly one call of this tool.
        case function(String)
    }

    /// The model asked for.
    public var model: String
    /// The conversation (without a continued final assistant message).
    public var messages: [Message]
    /// The tools offered.
    public var tools: [ToolSpec]
    /// How tools may be used.
    public var toolChoice: ToolChoice
    /// Whether one answer may call several tools.
    public var parallelToolCalls: Bool
    /// The schema the text answer must match (`response_format`), if any.
    public var responseSchema: JSONValue?
    /// Whether to stream server-sent events.
    public var stream: Bool
    /// With `stream`: whether a last chunk carries the usage.
    public var includeUsage: Bool
    /// Most tokens to generate.
    public var maxTokens: Int
    /// Sampling settings.
    public var sampling: SamplingSettings
    /// Stop strings.
    public var stop: [String]
    /// Text the answer already starts with (`continue_final_message`).
    public var prefill: String

    /// Most stop strings a request may give (OpenAI's limit).
    static let maxStops = 4

    /// Parses and checks a request body.
    /// - Parameter maxTokens: the server's cap, also the default.
    /// - Throws: `OpenAIError` (400) naming the field that is wrong.
    public init(body: [UInt8], maxTokens cap: Int) throws {
        let value: JSONValue
        do { value = try JSONDecoder().decode(JSONValue.self, from: Data(body)) } catch {
            throw OpenAIError.invalid("the body is not valid JSON: \(Self.reason(error))", code: "invalid_json")
        }
        guard let object = value.objectValue else { throw OpenAIError.invalid("the body must be a JSON object") }
        func field(_ key: String) -> JSONValue? {
            guard let found = object[key], found != .null else { return nil }
            return found
        }
        guard let model = field("model")?.stringValue, !model.isEmpty else {
            throw OpenAIError.invalid("'model' is required", param: "model")
        }
        self.model = model

        guard let list = field("messages")?.arrayValue, !list.isEmpty else {
            throw OpenAIError.invalid("'messages' must be a non-empty array", param: "messages")
        }
        var messages = try list.enumerated().map { try Self.message($1, index: $0) }
        prefill = ""
        if field("continue_final_message")?.boolValue == true {
            guard let last = messages.last, last.role == .assistant, last.toolCalls.isEmpty else {
                throw OpenAIError.invalid("'continue_final_message' needs a last assistant message without tool calls",
                                          param: "continue_final_message")
            }
            prefill = last.content
            messages.removeLast()
        }
        try Self.checkOrder(messages)
        self.messages = messages

        tools = try (field("tools").map { value -> [JSONValue] in
            guard let array = value.arrayValue else { throw OpenAIError.invalid("'tools' must be an array", param: "tools") }
            return array
        } ?? []).enumerated().map { try Self.tool($1, index: $0) }
        let names = tools.map(\.name)
        if let duplicate = names.first(where: { name in names.filter { $0 == name }.count > 1 }) {
            throw OpenAIError.invalid("two tools are named '\(duplicate)'", param: "tools")
        }
        toolChoice = try Self.toolChoice(field("tool_choice"), tools: names)
        parallelToolCalls = field("parallel_tool_calls")?.boolValue ?? true
        responseSchema = try Self.responseSchema(field("response_format"))
        stream = field("stream")?.boolValue ?? false
        includeUsage = field("stream_options")?["include_usage"]?.boolValue ?? false

        let asked = field("max_completion_tokens") ?? field("max_tokens")
        if let asked {
            guard let count = asked.intValue, count >= 1 else {
                throw OpenAIError.invalid("'max_tokens' must be a positive integer", param: "max_tokens")
            }
            guard count <= cap else {
                throw OpenAIError.invalid("'max_tokens' is \(count); this server generates at most \(cap) tokens",
                                          param: "max_tokens")
            }
            maxTokens = count
        } else {
            maxTokens = cap
        }
        if let n = field("n"), n.intValue != 1 {
            throw OpenAIError.invalid("only n = 1 is supported", param: "n")
        }

        var sampling = SamplingSettings(temperature: 1)
        func number(_ key: String, _ range: ClosedRange<Double>) throws -> Double? {
            guard let value = field(key) else { return nil }
            guard let number = value.doubleValue, range.contains(number) else {
                throw OpenAIError.invalid("'\(key)' must be a number in \(range.lowerBound)...\(range.upperBound)", param: key)
            }
            return number
        }
        if let temperature = try number("temperature", 0...2) { sampling.temperature = temperature }
        if let topP = try number("top_p", 0...1) {
            guard topP > 0 else { throw OpenAIError.invalid("'top_p' must be more than 0", param: "top_p") }
            sampling.topP = topP
        }
        if let topK = try number("top_k", -1...1_000_000) { sampling.topK = max(0, Int(topK)) }
        if let minP = try number("min_p", 0...1) { sampling.minP = minP }
        if let penalty = try number("repetition_penalty", 0.01...10) { sampling.repetitionPenalty = penalty }
        if let seed = field("seed") {
            guard let value = seed.intValue else { throw OpenAIError.invalid("'seed' must be an integer", param: "seed") }
            sampling.seed = UInt64(bitPattern: Int64(value))
        }
        self.sampling = sampling

        switch field("stop") {
        case nil: stop = []
        case .string(let text)?: stop = [text]
        case .array(let items)?:
            stop = try items.map {
                guard let text = $0.stringValue else { throw OpenAIError.invalid("'stop' must hold strings", param: "stop") }
                return text
            }
        default: throw OpenAIError.invalid("'stop' must be a string or an array of strings", param: "stop")
        }
        guard stop.count <= Self.maxStops else {
            throw OpenAIError.invalid("at most \(Self.maxStops) stop strings", param: "stop")
        }
        stop = stop.filter { !$0.isEmpty }
    }

    /// One message of the conversation.
    static func message(_ value: JSONValue, index: Int) throws -> Message {
        let param = "messages[\(index)]"
        guard let roleName = value["role"]?.stringValue else {
            throw OpenAIError.invalid("\(param) has no 'role'", param: param)
        }
        let content = try text(value["content"], param: "\(param).content")
        switch roleName {
        case "system", "developer": return .system(content)
        case "user": return .user(content)
        case "assistant":
            let calls = try (value["tool_calls"]?.arrayValue ?? []).enumerated().map { offset, call -> ToolCall in
                let where_ = "\(param).tool_calls[\(offset)]"
                guard let id = call["id"]?.stringValue, let name = call["function"]?["name"]?.stringValue else {
                    throw OpenAIError.invalid("\(where_) needs an 'id' and a 'function.name'", param: where_)
                }
                let argumentText = call["function"]?["arguments"]?.stringValue ?? "{}"
                guard let arguments = try? JSONValue.parse(argumentText), arguments.objectValue != nil else {
                    throw OpenAIError.invalid("\(where_).function.arguments is not a JSON object", param: where_)
                }
                return ToolCall(id: id, name: name, arguments: arguments)
            }
            return .assistant(content, toolCalls: calls)
        case "tool":
            guard let id = value["tool_call_id"]?.stringValue else {
                throw OpenAIError.invalid("\(param) (a tool result) needs a 'tool_call_id'", param: param)
            }
            return .tool(content, callID: id)
        default:
            throw OpenAIError.invalid("\(param) has an unknown role '\(roleName)'", param: param)
        }
    }

    /// A message content: a string, null, or an array of text parts.
    static func text(_ value: JSONValue?, param: String) throws -> String {
        switch value {
        case nil, .null?: return ""
        case .string(let text)?: return text
        case .array(let parts)?:
            return try parts.map { part in
                guard part["type"]?.stringValue == "text", let text = part["text"]?.stringValue else {
                    throw OpenAIError.invalid("\(param): only text parts are supported", param: param)
                }
                return text
            }.joined()
        default: throw OpenAIError.invalid("\(param) must be a string or an array of text parts", param: param)
        }
    }

    /// Checks that tool results answer the calls just before them, each call once.
    static func checkOrder(_ messages: [Message]) throws {
        var open: [String] = []
        for (index, message) in messages.enumerated() {
            let param = "messages[\(index)]"
            if message.role == .tool {
                guard let id = message.toolCallID, let position = open.firstIndex(of: id) else {
                    throw OpenAIError.invalid("\(param): a tool message must answer a tool call of the assistant message "
                                              + "before it (no open call has the id '\(message.toolCallID ?? "")')", param: param,
                                              code: "messages_out_of_order")
                }
                open.remove(at: position)
                continue
            }
            guard open.isEmpty else {
                throw OpenAIError.invalid("\(param): the tool calls \(open.joined(separator: ", ")) have no tool message "
                                          + "answering them", param: param, code: "messages_out_of_order")
            }
            open = message.toolCalls.map(\.id)
        }
        guard open.isEmpty else {
            throw OpenAIError.invalid("the tool calls \(open.joined(separator: ", ")) have no tool message answering them",
                                      param: "messages", code: "messages_out_of_order")
        }
    }

    /// One tool of `tools`.
    static func tool(_ value: JSONValue, index: Int) throws -> ToolSpec {
        let param = "tools[\(index)]"
        guard value["type"]?.stringValue == "function", let function = value["function"],
              let name = function["name"]?.stringValue, !name.isEmpty else {
            throw OpenAIError.invalid("\(param) must be {\"type\": \"function\", \"function\": {\"name\": …}}", param: param)
        }
        let parameters = function["parameters"] ?? ["type": "object", "properties": [:]]
        guard parameters.objectValue != nil else {
            throw OpenAIError.invalid("\(param).function.parameters must be a JSON Schema object", param: param)
        }
        return ToolSpec(plugin: "client", name: name, description: function["description"]?.stringValue ?? "",
                        inputSchema: parameters)
    }

    /// `tool_choice`, checked against the tools.
    static func toolChoice(_ value: JSONValue?, tools: [String]) throws -> ToolChoice {
        let choice: ToolChoice
        switch value {
        case nil: return tools.isEmpty ? .none : .auto
        case .string("auto")?: choice = .auto
        case .string("none")?: choice = .none
        case .string("required")?: choice = .required
        case .object?:
            guard value?["type"]?.stringValue == "function", let name = value?["function"]?["name"]?.stringValue else {
                throw OpenAIError.invalid("'tool_choice' must be auto, none, required or {\"type\": \"function\", "
                                          + "\"function\": {\"name\": …}}", param: "tool_choice")
            }
            guard tools.contains(name) else {
                throw OpenAIError.invalid("'tool_choice' names the function '\(name)', which is not in 'tools'",
                                          param: "tool_choice", code: "unknown_tool")
            }
            choice = .function(name)
        default:
            throw OpenAIError.invalid("'tool_choice' must be auto, none, required or a named function", param: "tool_choice")
        }
        if choice == .required && tools.isEmpty {
            throw OpenAIError.invalid("'tool_choice' is required but no 'tools' are given", param: "tool_choice")
        }
        return tools.isEmpty ? .none : choice
    }

    /// The schema of `response_format`, if it asks for JSON.
    static func responseSchema(_ value: JSONValue?) throws -> JSONValue? {
        guard let value else { return nil }
        switch value["type"]?.stringValue {
        case "text": return nil
        case "json_object": return ["type": "object"]
        case "json_schema":
            guard let schema = value["json_schema"]?["schema"], schema.objectValue != nil else {
                throw OpenAIError.invalid("'response_format.json_schema.schema' must be a JSON Schema object",
                                          param: "response_format")
            }
            return schema
        default:
            throw OpenAIError.invalid("'response_format.type' must be text, json_object or json_schema", param: "response_format")
        }
    }

    /// A decoding error in one line.
    static func reason(_ error: Error) -> String {
        if case DecodingError.dataCorrupted(let context) = error {
            return (context.underlyingError.map { "\($0.localizedDescription)" }) ?? context.debugDescription
        }
        return "\(error)"
    }
}
