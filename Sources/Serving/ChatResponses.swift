import AgentCore

/// The JSON bodies of chat completion answers, whole and streamed, in OpenAI's shape.
struct ChatResponses: Sendable {
    /// `chatcmpl-…`.
    let id: String
    /// Seconds since 1970 at the request.
    let created: Int
    /// The model's name.
    let model: String

    /// The whole answer (`chat.completion`).
    func completion(_ outcome: ChatGeneration.Outcome) -> JSONValue {
        var message: [String: JSONValue] = [
            "role": "assistant",
            "content": outcome.content.isEmpty && !outcome.toolCalls.isEmpty ? .null : .string(outcome.content),
        ]
        if !outcome.toolCalls.isEmpty {
            message["tool_calls"] = .array(outcome.toolCalls.map { call, argumentText in
                ["id": .string(call.id), "type": "function",
                 "function": ["name": .string(call.name), "arguments": .string(argumentText)]]
            })
        }
        var body: [String: JSONValue] = [
            "id": .string(id), "object": "chat.completion", "created": .int(created), "model": .string(model),
            "choices": [["index": 0, "message": .object(message), "finish_reason": .string(outcome.finishReason),
                         "logprobs": .null]],
            "usage": usage(outcome),
        ]
        if let trace = outcome.trace { body["loom"] = ["trace": .string(trace)] }
        return .object(body)
    }

    /// Token counts: prompt (with the cached part), completion, total.
    func usage(_ outcome: ChatGeneration.Outcome) -> JSONValue {
        ["prompt_tokens": .int(outcome.promptTokens), "completion_tokens": .int(outcome.completionTokens),
         "total_tokens": .int(outcome.promptTokens + outcome.completionTokens),
         "prompt_tokens_details": ["cached_tokens": .int(outcome.cachedTokens)]]
    }

    /// One streamed chunk (`chat.completion.chunk`) with a delta and, at the end, a finish reason (and
    /// the trace of an agent run).
    func chunk(delta: JSONValue, finishReason: String? = nil, trace: String? = nil) -> JSONValue {
        var body: [String: JSONValue] = [
            "id": .string(id), "object": "chat.completion.chunk", "created": .int(created), "model": .string(model),
            "choices": [["index": 0, "delta": delta, "finish_reason": finishReason.map(JSONValue.string) ?? .null,
                         "logprobs": .null]],
        ]
        if let trace { body["loom"] = ["trace": .string(trace)] }
        return .object(body)
    }

    /// The delta of one generation event.
    func delta(_ event: ChatGeneration.Event) -> JSONValue {
        switch event {
        case .content(let text):
            return ["content": .string(text)]
        case .toolCallStart(let index, let id, let name):
            return ["tool_calls": [["index": .int(index), "id": .string(id), "type": "function",
                                    "function": ["name": .string(name), "arguments": ""]]]]
        case .toolCallArguments(let index, let delta):
            return ["tool_calls": [["index": .int(index), "function": ["arguments": .string(delta)]]]]
        case .reasoning(let text):
            return ["reasoning_content": .string(text)]
        }
    }

    /// The last chunk when usage is asked for: no choices, the usage.
    func usageChunk(_ outcome: ChatGeneration.Outcome) -> JSONValue {
        ["id": .string(id), "object": "chat.completion.chunk", "created": .int(created), "model": .string(model),
         "choices": [], "usage": usage(outcome)]
    }

    /// A server-sent event carrying `value`.
    static func event(_ value: JSONValue) -> String { "data: \(value.compactText)\n\n" }

    /// The event that ends a stream.
    static let done = "data: [DONE]\n\n"
}
