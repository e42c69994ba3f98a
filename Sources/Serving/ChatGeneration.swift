import AgentCore
import Foundation
import LLM

/// Generates one chat answer for a `ChatRequest`: text, or tool calls written under a JSON-Schema
/// constraint in Qwen's `<tool_call>` format, so every call parses and names an offered tool.
///
/// - `none` (or no tools): one completion; with `response_format`, constrained to its schema.
/// - `auto`: the model writes freely until it opens a `<tool_call>`; then each call is generated
///   under the schema of the offered calls, and after each the model may open another (when
///   `parallel_tool_calls`). With `response_format`, a model that does not open a call at once writes
///   the answer under the format's schema.
/// - `required`: the answer starts with a call; more may follow as with `auto`.
/// - a named function: exactly one call of it.
struct ChatGeneration: Sendable {
    /// What the generation reports while it runs (the stream's deltas).
    enum Event: Sendable {
        /// Answer text.
        case content(String)
        /// A tool call begins: its position in the answer, id and tool name.
        case toolCallStart(index: Int, id: String, name: String)
        /// More of a tool call's arguments (JSON text).
        case toolCallArguments(index: Int, delta: String)
        /// What an agent is doing (its plan and steps), apart from the answer.
        case reasoning(String)
    }

    /// The finished answer.
    struct Outcome: Sendable {
        /// The text (may be empty when the answer is only tool calls).
        var content: String
        /// The tool calls, with the exact argument text generated.
        var toolCalls: [(call: ToolCall, argumentText: String)]
        /// OpenAI's finish reason: `stop`, `length` or `tool_calls`.
        var finishReason: String
        /// Tokens of the prompt.
        var promptTokens: Int
        /// Of those, tokens whose keys and values were reused (in memory or from the prompt cache).
        var cachedTokens: Int
        /// Tokens generated, all calls together.
        var completionTokens: Int
        /// The trace an agent run wrote (nil for a plain model).
        var trace: String? = nil
    }

    /// The model.
    let model: any LanguageModel
    /// The checked request.
    let request: ChatRequest
    /// Makes a tool call id (`call_…`).
    let callID: @Sendable () -> String

    /// The text that opens a tool call in Qwen's format.
    static let callOpen = "<tool_call>"
    /// Tokens the model writes, with tools on offer, before it is decided whether it answers or calls.
    static let probeTokens = 3
    /// Tokens the model gets, after a call, to open another one or end its turn.
    static let continuationTokens = 8
    /// Most calls in one answer.
    static let maxCalls = 16

    /// Runs the generation, reporting deltas to `onEvent`.
    /// - Throws: `OpenAIError` for a prompt that does not fit the context or a schema nothing satisfies,
    ///   `CancellationError` when the task is cancelled, the model's own errors otherwise.
    func run(onEvent: (@Sendable (Event) -> Void)?) async throws -> Outcome {
        var state = State(budget: request.maxTokens)
        var spoken = request.prefill
        var content = ""

        switch request.toolChoice {
        case .none:
            let completion = try await complete(&state, prefill: spoken, stop: request.stop,
                                                constraint: request.responseSchema.map { .jsonSchema($0) },
                                                onText: Self.contentSink(onEvent))
            return outcome(state, content: completion.text, calls: [], finish: completion.finishReason)
        case .auto where request.responseSchema == nil:
            // The first tokens decide: a call opened with `<tool_call>`, or written as bare JSON as small
            // models often do (`{"name": …` or a fenced block), becomes a constrained call; text goes on as text.
            let stops = request.stop + [Self.callOpen]
            let probe = try await complete(&state, prefill: spoken, stop: stops, constraint: nil, onText: nil,
                                           limit: Self.probeTokens)
            let start = probe.text.drop { $0.isWhitespace }
            let callFirst = opensCall(probe) && start.isEmpty
            if !callFirst && !start.hasPrefix("{") && !start.hasPrefix("```") {
                // A probe cut inside a character ends in U+FFFD; the continuation writes that character whole.
                content = probe.finishReason == .maxTokens
                    ? String(probe.text.reversed().drop { $0 == "\u{FFFD}" }.reversed()) : probe.text
                if !content.isEmpty { onEvent?(.content(content)) }
                if !opensCall(probe) {
                    guard probe.finishReason == .maxTokens, state.budget > 0 else {
                        return outcome(state, content: content, calls: [], finish: probe.finishReason)
                    }
                    let rest = try await complete(&state, prefill: spoken + content, stop: stops, constraint: nil,
                                                  onText: Self.contentSink(onEvent))
                    content += rest.text
                    guard opensCall(rest) else { return outcome(state, content: content, calls: [], finish: rest.finishReason) }
                }
                spoken += content
            }
        case .auto:
            // A JSON answer is asked for, or calls: the first tokens decide. A model that opens
            // `<tool_call>` at once, or writes a bare call (`{"name"` where the format has no `name`), calls
            // tools; anything else is the start of the answer, which is then written from the beginning
            // under the response format's schema.
            let probe = try await complete(&state, prefill: spoken, stop: request.stop + [Self.callOpen], constraint: nil,
                                           onText: nil, limit: Self.probeTokens)
            let start = probe.text.drop { $0.isWhitespace }.filter { !$0.isWhitespace }
            let bareCall = start.hasPrefix(#"{"name""#) && request.responseSchema?["properties"]?["name"] == nil
            if !(opensCall(probe) && start.isEmpty) && !bareCall {
                state.budget += max(1, probe.generatedTokens.count)  // the answer's own budget is whole
                let completion = try await complete(&state, prefill: spoken, stop: request.stop,
                                                    constraint: request.responseSchema.map { .jsonSchema($0) },
                                                    onText: Self.contentSink(onEvent))
                return outcome(state, content: completion.text, calls: [], finish: completion.finishReason)
            }
        case .required, .function:
            break
        }

        let callable: [ToolSpec]
        if case .function(let name) = request.toolChoice {
            callable = request.tools.filter { $0.name == name }
        } else {
            callable = request.tools
        }
        let schema = Self.callSchema(callable)
        var calls: [(call: ToolCall, argumentText: String)] = []
        var finish = Completion.FinishReason.endOfTurn
        while state.budget > 0 {
            spoken += Self.callOpen + "\n"
            let index = calls.count, id = callID()
            let splitter = ToolCallTextSplitter()
            let completion = try await complete(&state, prefill: spoken, stop: [], constraint: .jsonSchema(schema),
                                                onText: Self.callSink(onEvent, splitter: splitter, index: index, id: id))
            let value = try? JSONValue.parse(completion.text)
            guard let name = value?["name"]?.stringValue, let arguments = value?["arguments"], arguments.objectValue != nil else {
                throw OpenAIError(status: .internalServerError, type: "server_error",
                                  message: "the constrained tool call did not parse: \(completion.text.prefix(200))")
            }
            if onEvent != nil, let rest = splitter.finish() {
                if rest.started { onEvent?(.toolCallStart(index: index, id: id, name: name)) }
                if !rest.arguments.isEmpty { onEvent?(.toolCallArguments(index: index, delta: rest.arguments)) }
            }
            calls.append((ToolCall(id: id, name: name, arguments: arguments),
                          ToolCallTextSplitter.argumentText(of: completion.text) ?? arguments.compactText))
            spoken += completion.text + "\n</tool_call>"
            finish = completion.finishReason
            if finish == .maxTokens || finish == .closedAtLimit { break }
            if case .function = request.toolChoice { break }
            guard request.parallelToolCalls, calls.count < Self.maxCalls, state.budget > 0 else { break }
            // After a call the model ends its turn or opens another call.
            let next = try await complete(&state, prefill: spoken, stop: [Self.callOpen], constraint: nil, onText: nil,
                                          limit: Self.continuationTokens)
            let another = next.text.drop { $0.isWhitespace }
            guard (opensCall(next) && another.isEmpty) || another.hasPrefix("{") else { break }
            // The next call opens on a line of its own, as Qwen's template writes several calls.
            spoken += opensCall(next) ? next.text : "\n"
        }
        return outcome(state, content: content, calls: calls, finish: finish)
    }

    /// Reports generated text as answer text.
    static func contentSink(_ onEvent: (@Sendable (Event) -> Void)?) -> (@Sendable (String) -> Void)? {
        guard let onEvent else { return nil }
        return { text in onEvent(.content(text)) }
    }

    /// Reports the generated text of call `index` as its name and argument deltas.
    static func callSink(_ onEvent: (@Sendable (Event) -> Void)?, splitter: ToolCallTextSplitter, index: Int,
                         id: String) -> (@Sendable (String) -> Void)? {
        guard let onEvent else { return nil }
        return { text in
            for piece in splitter.append(text) {
                switch piece {
                case .name(let name): onEvent(.toolCallStart(index: index, id: id, name: name))
                case .arguments(let delta): onEvent(.toolCallArguments(index: index, delta: delta))
                }
            }
        }
    }

    /// Usage and budget across the completions of one answer.
    struct State {
        var budget: Int
        var promptTokens = 0
        var cachedTokens = 0
        var completionTokens = 0
        var first = true
    }

    /// One completion of the answer so far.
    private func complete(_ state: inout State, prefill: String, stop: [String], constraint: OutputConstraint?,
                          onText: (@Sendable (String) -> Void)?, limit: Int? = nil) async throws -> Completion {
        try Task.checkCancellation()
        let maxTokens = min(state.budget, limit ?? state.budget)
        let completion = try await model.complete(
            CompletionRequest(messages: request.messages, tools: request.tools, sampling: request.sampling,
                              maxTokens: maxTokens, constraint: constraint, stop: stop, prefill: prefill),
            onText: onText)
        if completion.finishReason == .promptTooLong {
            throw OpenAIError.invalid("the conversation (\(completion.promptTokens.count) tokens) leaves no room to generate in "
                                      + "the model's context of \(model.info.contextLength) tokens", param: "messages",
                                      code: "context_length_exceeded")
        }
        if state.first {
            state.promptTokens = completion.promptTokens.count
            state.cachedTokens = completion.reusedPromptTokens
            state.first = false
        }
        state.completionTokens += completion.generatedTokens.count
        state.budget -= max(1, completion.generatedTokens.count)
        return completion
    }

    /// Whether a completion stopped because the model opened a tool call.
    private func opensCall(_ completion: Completion) -> Bool {
        guard completion.finishReason == .stopString else { return false }
        if let local = model as? LocalModel {
            return local.tokenizer.decode(completion.generatedTokens).hasPrefix(completion.text + Self.callOpen)
        }
        return request.stop.isEmpty
    }

    private func outcome(_ state: State, content: String, calls: [(call: ToolCall, argumentText: String)],
                         finish: Completion.FinishReason) -> Outcome {
        let reason: String
        switch finish {
        case .maxTokens, .closedAtLimit: reason = "length"
        default: reason = calls.isEmpty ? "stop" : "tool_calls"
        }
        return Outcome(content: content, toolCalls: calls, finishReason: reason, promptTokens: state.promptTokens,
                       cachedTokens: state.cachedTokens, completionTokens: state.completionTokens)
    }

    /// The schema of one call: `{"name": …, "arguments": …}` for any of the tools, name first.
    static func callSchema(_ tools: [ToolSpec]) -> JSONValue {
        let branches: [JSONValue] = tools.map { tool in
            ["type": "object",
             "properties": ["name": ["type": "string", "enum": .array([.string(tool.name)])], "arguments": tool.inputSchema],
             "required": ["name", "arguments"], "additionalProperties": false, "propertyOrder": ["name", "arguments"]]
        }
        return branches.count == 1 ? branches[0] : ["anyOf": .array(branches)]
    }

    /// Whether some JSON text satisfies `schema` (a schema nothing satisfies would stop generation at
    /// its first token).
    static func satisfiable(_ schema: JSONValue) -> Bool {
        let constraint = JSONConstraint(schema: JSONSchema(schema))
        return !constraint.isDead && constraint.shortestCompletion(maxLength: 4096) != nil
    }

    /// Checks the schemas the request will generate under.
    /// - Throws: `OpenAIError` (400) naming the schema that nothing satisfies.
    static func checkSchemas(_ request: ChatRequest) throws {
        if let schema = request.responseSchema, request.toolChoice == .none || request.toolChoice == .auto,
           !satisfiable(schema) {
            throw OpenAIError.invalid("no JSON value satisfies the schema of 'response_format'", param: "response_format",
                                      code: "unsatisfiable_schema")
        }
        switch request.toolChoice {
        case .none: return
        case .function(let name):
            if let tool = request.tools.first(where: { $0.name == name }), !satisfiable(callSchema([tool])) {
                throw OpenAIError.invalid("no arguments satisfy the parameters of '\(name)'", param: "tools",
                                          code: "unsatisfiable_schema")
            }
        case .auto, .required:
            for tool in request.tools where !satisfiable(callSchema([tool])) {
                throw OpenAIError.invalid("no arguments satisfy the parameters of '\(tool.name)'", param: "tools",
                                          code: "unsatisfiable_schema")
            }
        }
    }
}
