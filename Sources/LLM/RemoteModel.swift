import AgentCore
import Foundation

/// What went wrong talking to a remote model.
public enum RemoteModelError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The model reference is not `openai:URL#MODEL`.
    case badReference(String)
    /// No answer came back (connection refused, timeout, TLS failure).
    case transfer(url: String, message: String)
    /// The server answered with an error status.
    case status(url: String, code: Int, message: String)
    /// The answer is not the chat completion shape.
    case malformedReply(url: String, excerpt: String)
    /// The server ignored `response_format`: its output does not match the schema asked for.
    case constraintNotHonoured(url: String, excerpt: String)

    public var description: String {
        switch self {
        case .badReference(let text):
            return "'\(text)' is not a remote model reference; write openai:http://HOST:PORT/v1#MODEL"
        case .transfer(let url, let message): return "\(url): no answer: \(message)"
        case .status(let url, let code, let message): return "\(url): HTTP \(code): \(message)"
        case .malformedReply(let url, let excerpt): return "\(url): not a chat completion: \(excerpt)"
        case .constraintNotHonoured(let url, let excerpt):
            return "\(url): the server does not honour response_format json_schema (structured output); "
                + "its output does not match the schema: \(excerpt)"
        }
    }
}

/// A model behind an OpenAI-compatible chat API (vLLM, llama.cpp's server, Ollama, another `loom serve`).
///
/// Each call is one `POST /chat/completions`. A constrained call sends its JSON Schema as
/// `response_format: json_schema` (strict) and checks the output against it: a server that does not
/// honour it is an error, not a plan that fails to parse later. The tools are listed in the request
/// with `tool_choice: "none"`, so the server's template shows them to the model while the output
/// stays text that the orchestrator reads. A request's prefill is sent as a last assistant message
/// with `continue_final_message` (vLLM's and Loom's extension). The API key, if any, comes from an
/// environment variable and is never recorded.
public final class RemoteModel: LanguageModel, Sendable {
    /// A parsed `openai:URL#MODEL` reference.
    public struct Reference: Sendable, Equatable {
        /// The API's base URL, e.g. `http://127.0.0.1:8080/v1`.
        public var baseURL: String
        /// The model's name at that server.
        public var model: String

        /// The scheme that marks a remote model.
        public static let scheme = "openai:"

        /// Parses `openai:http://host:port/v1#model`.
        /// - Throws: `RemoteModelError.badReference`.
        public init(_ text: String) throws {
            guard text.hasPrefix(Self.scheme), let hash = text.lastIndex(of: "#") else {
                throw RemoteModelError.badReference(text)
            }
            let url = String(text[text.index(text.startIndex, offsetBy: Self.scheme.count)..<hash])
            let model = String(text[text.index(after: hash)...])
            guard url.hasPrefix("http://") || url.hasPrefix("https://"), url.count > 8, !model.isEmpty else {
                throw RemoteModelError.badReference(text)
            }
            baseURL = url.hasSuffix("/") ? String(url.dropLast()) : url
            self.model = model
        }

        /// Whether `text` is meant as a remote reference.
        public static func matches(_ text: String) -> Bool { text.hasPrefix(scheme) }
    }

    /// Describes the model for traces: the reference as name, the server's context length.
    public let info: ModelInfo
    /// Where the model is.
    public let reference: Reference
    private let apiKey: String?
    private let http: RemoteHTTP

    /// The environment variable the API key is read from by default (the name every OpenAI client uses).
    public static let apiKeyVariable = "OPENAI_API_KEY"
    /// Context length assumed when the server does not say (`max_model_len` in `/models`).
    public static let defaultContextLength = 32768

    /// Connects: asks the server for its models and checks that `reference.model` is one of them.
    /// - Parameters:
    ///   - apiKey: the key, if the server asks for one.
    ///   - timeout: seconds one call may take.
    ///   - retries: further tries after a 429, a 5xx or no answer, with exponential backoff.
    /// - Throws: `RemoteModelError` when the server cannot be reached or does not serve the model.
    public init(_ reference: Reference, apiKey: String?, timeout: Double = 600, retries: Int = 3) async throws {
        self.reference = reference
        self.apiKey = apiKey
        http = RemoteHTTP(totalTimeout: timeout, retries: retries)
        let url = reference.baseURL + "/models"
        let reply = try await http.send("GET", url: url, bearer: apiKey)
        guard reply.status == 200 else {
            throw RemoteModelError.status(url: url, code: reply.status, message: Self.errorMessage(reply.body))
        }
        guard let listed = (try? JSONValue.parse(String(decoding: reply.body, as: UTF8.self)))?["data"]?.arrayValue else {
            throw RemoteModelError.malformedReply(url: url, excerpt: String(decoding: reply.body.prefix(200), as: UTF8.self))
        }
        guard let entry = listed.first(where: { $0["id"]?.stringValue == reference.model }) else {
            throw RemoteModelError.status(url: url, code: 404, message: "the server does not list the model '\(reference.model)'; it lists "
                                          + listed.compactMap { $0["id"]?.stringValue }.joined(separator: ", "))
        }
        info = ModelInfo(name: Reference.scheme + reference.baseURL + "#" + reference.model, sha256: nil,
                         contextLength: entry["max_model_len"]?.intValue ?? Self.defaultContextLength)
    }

    /// Runs one completion at the server. The whole text is passed to `onText` when it arrives.
    /// - Throws: `RemoteModelError`; a prompt the server finds too long is a `promptTooLong` completion.
    public func complete(_ request: CompletionRequest, onText: (@Sendable (String) -> Void)?) async throws -> Completion {
        let url = reference.baseURL + "/chat/completions"
        let body = Data(Self.body(request, model: reference.model).compactText.utf8)
        let start = Date()
        let reply = try await http.send("POST", url: url, body: body, bearer: apiKey)
        let seconds = Date().timeIntervalSince(start)
        let text = String(decoding: reply.body, as: UTF8.self)
        let answer = try? JSONValue.parse(text)
        guard reply.status == 200 else {
            if answer?["error"]?["code"]?.stringValue == "context_length_exceeded" {
                return Completion(text: "", finishReason: .promptTooLong)
            }
            throw RemoteModelError.status(url: url, code: reply.status, message: Self.errorMessage(reply.body))
        }
        guard let choice = answer?["choices"]?.arrayValue?.first, let message = choice["message"] else {
            throw RemoteModelError.malformedReply(url: url, excerpt: String(text.prefix(200)))
        }
        var content = message["content"]?.stringValue ?? ""
        let cut = choice["finish_reason"]?.stringValue == "length"
        var finish: Completion.FinishReason = cut ? .maxTokens : .endOfTurn
        if case .jsonSchema(let schema)? = request.constraint {
            // As in `LocalModel`, a prefill that starts the value is part of it. The output must be the
            // whole value, or a start of it when a stop string or the token budget ended it.
            var check = JSONConstraint(schema: JSONSchema(schema))
            let prefillStarts = !request.prefill.isEmpty && check.accepts(Array(request.prefill.utf8))
            let output = (prefillStarts ? request.prefill + content : content).trimmingCharacters(in: .whitespacesAndNewlines)
            let started = check.advance(Array(output.utf8))
            if started && check.isComplete {
                finish = cut ? .closedAtLimit : .constraintComplete
            } else if started && (cut || !request.stop.isEmpty) {
                finish = cut ? .maxTokens : .stopString
            } else {
                throw RemoteModelError.constraintNotHonoured(url: url, excerpt: String(content.prefix(200)))
            }
            // The check lets strings hold raw tabs and newlines, as the local constraint does; the text
            // passed on is JSON, as `LocalModel`'s is.
            var escaper = JSONConstraint.RawControlEscaper()
            if prefillStarts { _ = escaper.escape(request.prefill) }
            content = escaper.escape(content)
        }
        onText?(content)
        let usage = answer?["usage"]
        return Completion(text: content, prompt: "", promptTokens: [], generatedTokens: [],
                          reusedPromptTokens: usage?["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? 0,
                          finishReason: finish, promptSeconds: 0, generateSeconds: seconds)
    }

    /// The request body for `request`.
    static func body(_ request: CompletionRequest, model: String) -> JSONValue {
        var messages: [JSONValue] = request.messages.map(message)
        var body: [String: JSONValue] = [
            "model": .string(model),
            "max_tokens": .int(request.maxTokens),
            "temperature": .double(request.sampling.temperature),
            "top_p": .double(request.sampling.topP),
            "seed": .int(Int(Int64(bitPattern: request.sampling.seed))),
        ]
        // vLLM's sampling extensions, sent only when they are not the defaults.
        if request.sampling.topK > 0 { body["top_k"] = .int(request.sampling.topK) }
        if request.sampling.minP > 0 { body["min_p"] = .double(request.sampling.minP) }
        if request.sampling.repetitionPenalty != 1 { body["repetition_penalty"] = .double(request.sampling.repetitionPenalty) }
        if !request.stop.isEmpty { body["stop"] = .array(request.stop.map(JSONValue.string)) }
        if !request.tools.isEmpty {
            body["tools"] = .array(request.tools.map { tool in
                ["type": "function", "function": ["name": .string(tool.name), "description": .string(tool.description),
                                                  "parameters": tool.inputSchema]]
            })
            body["tool_choice"] = "none"
        }
        if case .jsonSchema(let schema)? = request.constraint {
            body["response_format"] = ["type": "json_schema",
                                       "json_schema": ["name": "output", "schema": schema, "strict": true]]
        }
        if !request.prefill.isEmpty {
            messages.append(["role": "assistant", "content": .string(request.prefill)])
            body["continue_final_message"] = true
            body["add_generation_prompt"] = false
        }
        body["messages"] = .array(messages)
        return .object(body)
    }

    /// One message in the API's shape.
    static func message(_ message: Message) -> JSONValue {
        var object: [String: JSONValue] = ["role": .string(message.role.rawValue), "content": .string(message.content)]
        if !message.toolCalls.isEmpty {
            object["tool_calls"] = .array(message.toolCalls.map { call in
                ["id": .string(call.id), "type": "function",
                 "function": ["name": .string(call.name), "arguments": .string(call.arguments.compactText)]]
            })
        }
        if let id = message.toolCallID { object["tool_call_id"] = .string(id) }
        return .object(object)
    }

    /// The message of an error reply (OpenAI's shape), or its first bytes.
    static func errorMessage(_ body: Data) -> String {
        let text = String(decoding: body, as: UTF8.self)
        return (try? JSONValue.parse(text))?["error"]?["message"]?.stringValue ?? String(text.prefix(200))
    }
}
