import AgentCore

/// A language model that answers from a script and records every request: the double the
/// orchestrator's and the traces' tests use where a real model is not the point.
///
/// Its "tokens" are the Unicode scalars of the text, and `reusedPromptTokens` is the length of the
/// prompt prefix shared with the previous call, as a KV cache would reuse it.
public actor ScriptedModel: LanguageModel {
    /// One scripted reply, computed from the request and the call's index.
    public typealias Reply = @Sendable (CompletionRequest, Int) -> String

    /// The name and context length it reports (the context matters with `enforceContext`).
    public nonisolated let info: ModelInfo
    private let reply: Reply
    /// Whether a prompt that leaves fewer than 64 tokens (or `maxTokens`) of `info.contextLength`
    /// is answered with `promptTooLong`, as the real model does.
    public var enforcesContext = false
    private var replies = 0
    private var lastPrompt: [Int] = []
    /// Every request received, in order.
    public private(set) var requests: [CompletionRequest] = []

    /// A model that replies with `replies` in order (and an empty answer once they run out).
    public init(_ replies: [String], info: ModelInfo = ModelInfo(name: "scripted", contextLength: 4096)) {
        self.init(info: info) { _, index in index < replies.count ? replies[index] : "" }
    }

    /// A model whose reply is computed by `reply`.
    public init(info: ModelInfo = ModelInfo(name: "scripted", contextLength: 4096), reply: @escaping Reply) {
        self.info = info
        self.reply = reply
    }

    /// Makes prompts that overflow `info.contextLength` come back as `promptTooLong`.
    public func enforceContext() { enforcesContext = true }

    /// Whether a reply containing one of the request's stop strings is cut before it and finishes with
    /// `stopString`, as a real model's output is (by default replies are returned as scripted).
    public var appliesStopStrings = false

    /// Makes stop strings cut replies.
    public func applyStopStrings() { appliesStopStrings = true }

    /// Answers with the next scripted reply, streaming it to `onText` in one piece.
    public func complete(_ request: CompletionRequest, onText: (@Sendable (String) -> Void)?) async throws -> Completion {
        let prompt = Self.render(request)
        let promptTokens = prompt.unicodeScalars.map { Int($0.value) }
        if enforcesContext, promptTokens.count + min(request.maxTokens, 64) > info.contextLength {
            requests.append(request)
            return Completion(text: "", prompt: prompt, promptTokens: promptTokens, finishReason: .promptTooLong)
        }
        var text = reply(request, replies)
        var finish = Completion.FinishReason.endOfTurn
        // Stop strings cut the reply as they cut a real model's output (the stop string itself left out).
        if appliesStopStrings, let cut = request.stop.compactMap({ text.range(of: $0)?.lowerBound }).min() {
            text = String(text[..<cut])
            finish = .stopString
        }
        replies += 1
        requests.append(request)
        let reused = zip(promptTokens, lastPrompt).prefix { $0 == $1 }.count
        lastPrompt = promptTokens
        onText?(text)
        return Completion(text: text, prompt: prompt, promptTokens: promptTokens,
                          generatedTokens: text.unicodeScalars.map { Int($0.value) },
                          reusedPromptTokens: reused, finishReason: finish)
    }

    /// A plain rendering of the conversation, standing in for a chat template: the prompt whose
    /// Unicode scalars are the "tokens" of a call.
    public static func render(_ request: CompletionRequest) -> String {
        var text = ""
        for message in request.messages {
            text += "<|\(message.role.rawValue)|>\(message.content)"
            for call in message.toolCalls { text += "<tool_call>\(call.name) \(call.arguments.compactText)</tool_call>" }
            text += "<|end|>"
        }
        return text + "<|assistant|>" + request.prefill
    }
}
