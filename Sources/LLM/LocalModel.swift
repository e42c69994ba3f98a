import AgentCore
import Foundation
import GGUF
import Tokenizers

/// A GGUF model running in-process: tokenizer, chat template, Transformer and one inference session
/// whose KV cache is reused across calls (a prompt that extends the previous one only computes the
/// new tokens).
///
/// Message contents, tool descriptions and tool results are tokenized with special-token parsing
/// off, so untrusted text can never become control tokens; only the template's own structure can.
/// One call runs at a time (calls queue on a lock): the session is not thread-safe.
public final class LocalModel: LanguageModel, @unchecked Sendable {
    /// Describes the model for traces.
    public let info: ModelInfo
    /// The tokenizer read from the file.
    public let tokenizer: Tokenizer
    /// The chat format recognised from `tokenizer.chat_template`.
    public let template: ChatTemplate
    /// The weights and forward pass.
    public let transformer: Transformer
    fileprivate let session: InferenceSession
    private let lock = NSLock()

    /// Loads a GGUF model.
    /// - Parameters:
    ///   - path: the `.gguf` file.
    ///   - name: a short name for traces (default: the file name without `.gguf`).
    ///   - sha256: the file's hash, when the caller knows it (registry entries do).
    ///   - contextLength: KV cache positions (default: the trained length, at most 4096).
    ///   - threads: worker threads of the forward pass.
    ///   - log: where a warning goes (an unrecognised chat template falls back to ChatML and says so).
    /// - Throws: `GGUFError`, `TokenizerError` or `LLMError` describing what is wrong with the file.
    public init(path: String, name: String? = nil, sha256: String? = nil, contextLength: Int? = nil, threads: Int = 2,
                log: (String) -> Void = { FileHandle.standardError.write(Data(("loom: " + $0 + "\n").utf8)) }) throws {
        let file = try GGUFFile(path: path)
        tokenizer = try Tokenizer(gguf: file)
        template = try ChatTemplate(jinja: tokenizer.chatTemplate, allowFallback: true)
        if let reason = template.fallbackReason { log(reason) }
        transformer = try Transformer(file: file)
        let context = contextLength ?? min(transformer.configuration.trainedContextLength, 4096)
        session = try InferenceSession(model: transformer, contextLength: context, threads: threads)
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        info = ModelInfo(name: name ?? (fileName.hasSuffix(".gguf") ? String(fileName.dropLast(5)) : fileName),
                         sha256: sha256, contextLength: context)
    }

    /// Runs one chat completion: renders the conversation with the model's template (plus
    /// `request.prefill`), generates until an end-of-turn token, a stop string, `maxTokens`, or the
    /// end of the constrained value, streaming complete characters to `onText`.
    ///
    /// A JSON-Schema constraint covers the prefill too when the prefill is a valid start of the value
    /// (`{"name": "evaluate", "arguments": `): the JSON is then prefill + text. Otherwise (for
    /// example `<tool_call>\n`) the constraint applies to the generated text alone.
    public func complete(_ request: CompletionRequest, onText: (@Sendable (String) -> Void)?) async throws -> Completion {
        let pieces = template.render(request.messages, tools: request.tools, addGenerationPrompt: true, prefill: request.prefill)
        let prompt = Prompt(text: pieces.text, tokens: tokenizer.encode(pieces))
        let constraint: JSONSchema? = request.constraint.map { if case let .jsonSchema(schema) = $0 { JSONSchema(schema) } else { nil } } ?? nil
        return try generate(prompt, sampling: request.sampling, maxTokens: request.maxTokens, stop: request.stop,
                            constraint: constraint, constrainedPrefix: request.prefill, onText: onText)
    }

    /// A prompt as text and token ids.
    public struct Prompt: Sendable {
        /// The exact text the model sees.
        public var text: String
        /// Its token ids.
        public var tokens: [Int]

        /// Creates a prompt.
        public init(text: String, tokens: [Int]) {
            self.text = text
            self.tokens = tokens
        }
    }

    /// Generates a continuation of a prompt (the core of `complete`, also used for raw prompts).
    /// - Parameter constrainedPrefix: text at the end of the prompt that the constraint starts from,
    ///   if it is a valid start of the value (see `complete`).
    /// - Throws: `LLMError` when the prompt does not fit the context or the constraint allows no token.
    public func generate(_ prompt: Prompt, sampling: SamplingSettings, maxTokens: Int, stop: [String] = [],
                         constraint: JSONSchema? = nil, constrainedPrefix: String = "",
                         onText: (@Sendable (String) -> Void)? = nil) throws -> Completion {
        try lock.withLock {
            try generateLocked(prompt, sampling: sampling, maxTokens: maxTokens, stop: stop, constraint: constraint,
                               constrainedPrefix: constrainedPrefix, onText: onText)
        }
    }

    /// How many tokens before the end of the budget the closing of a constrained value is considered.
    static let closingWindow = 64
    /// Tokens kept in hand when closing (a completion can grow by more than one byte per token).
    static let closingMargin = 2
    /// Tokens a prompt must leave free in the context (fewer if `maxTokens` is smaller), else the
    /// completion is `promptTooLong`: room for a short constrained value and its closing.
    static let minimumRoom = 64

    private func generateLocked(_ prompt: Prompt, sampling: SamplingSettings, maxTokens: Int, stop: [String],
                                constraint schema: JSONSchema?, constrainedPrefix: String,
                                onText: (@Sendable (String) -> Void)?) throws -> Completion {
        guard !prompt.tokens.isEmpty else { throw LLMError.emptyInput }
        // A prompt that leaves no room to generate is reported, not evaluated: the caller shortens it.
        guard prompt.tokens.count + min(maxTokens, Self.minimumRoom) <= session.contextLength else {
            return Completion(text: "", prompt: prompt.text, promptTokens: prompt.tokens, finishReason: .promptTooLong)
        }
        let start = Date()
        var (logits, reused) = try evaluatePrompt(prompt.tokens)
        let promptSeconds = Date().timeIntervalSince(start)

        var sampler = Sampler(settings: sampling)
        var constraint = schema.map { TokenConstraint(schema: $0, tokenizer: tokenizer) }
        if var started = constraint, !constrainedPrefix.isEmpty, started.advance(bytes: Array(constrainedPrefix.utf8)) {
            constraint = started
        }
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        var stream = StopStringStream(stops: stop, onText: onText)
        var context = prompt.tokens
        var generated: [Int] = []
        var finish = Completion.FinishReason.maxTokens

        generation: while generated.count < maxTokens && context.count < session.contextLength {
            let current = constraint
            // Near the end of the budget, a constrained value is closed while there is room to close it.
            let left = min(maxTokens - generated.count, session.contextLength - context.count)
            if let current, left <= Self.closingWindow, let closing = current.json.shortestCompletion(), !closing.isEmpty {
                let tokens = tokenizer.encode(String(decoding: closing, as: UTF8.self))
                if tokens.count + Self.closingMargin >= left {
                    for token in tokens {
                        generated.append(token)
                        context.append(token)
                        constraint?.advance(token)
                        _ = stream.append(detokenizer.append(token))
                    }
                    finish = .closedAtLimit
                    break generation
                }
            }
            guard let token = sampler.sample(logits: logits, history: context, allows: current.map { c in { c.allows($0) } }) else {
                throw LLMError.invalidArgument("the output constraint allows no next token after \(generated.count) generated tokens")
            }
            if tokenizer.endOfGenerationTokens.contains(token) {
                finish = .endOfTurn
                break
            }
            generated.append(token)
            context.append(token)
            constraint?.advance(token)
            if stream.append(detokenizer.append(token)) {
                finish = .stopString
                break generation
            }
            if constraint?.isFinished == true {
                finish = .constraintComplete
                break
            }
            if generated.count < maxTokens && context.count < session.contextLength {
                logits = try session.logits(after: context)
            }
        }
        if finish != .stopString { _ = stream.append(detokenizer.finish()) }
        stream.flush()
        return Completion(text: stream.text, prompt: prompt.text, promptTokens: prompt.tokens, generatedTokens: generated,
                          reusedPromptTokens: reused, finishReason: finish, promptSeconds: promptSeconds,
                          generateSeconds: Date().timeIntervalSince(start) - promptSeconds)
    }
}

extension LocalModel {
    /// The logits after the prompt and how many prompt tokens came from the cache.
    ///
    /// The last prompt token is always computed as a single-token step, whether or not the cache
    /// already held it: a batched and a single-token pass round differently, and the logits that
    /// choose the first generated token must not depend on what earlier calls left in the cache
    /// (the same request twice gives the same tokens).
    fileprivate func evaluatePrompt(_ tokens: [Int]) throws -> (logits: [Float], reused: Int) {
        let cached = session.cachedTokens
        var common = 0
        while common < cached.count, common < tokens.count, cached[common] == tokens[common] { common += 1 }
        guard tokens.count >= 2, common < tokens.count - 1 else {
            let logits = try session.logits(after: tokens)
            return (logits, session.lastEvaluation.reusedTokens)
        }
        _ = try session.logits(after: Array(tokens.dropLast()))
        let reused = session.lastEvaluation.reusedTokens
        return (try session.logits(after: tokens), reused)
    }
}

/// Generated text with stop strings: text is streamed as soon as it cannot be the start of a stop
/// string, and generation ends at the first stop string (which is not part of the output).
/// Works on UTF-8 bytes, so a combining mark that joins an earlier character is still streamed.
struct StopStringStream {
    let stops: [[UInt8]]
    let onText: (@Sendable (String) -> Void)?
    private var bytes: [UInt8] = []
    private var emitted = 0

    init(stops: [String], onText: (@Sendable (String) -> Void)?) {
        self.stops = stops.map { Array($0.utf8) }.filter { !$0.isEmpty }
        self.onText = onText
    }

    /// The output so far (without any stop string).
    var text: String { String(decoding: bytes, as: UTF8.self) }

    /// Adds text (whole characters); returns true when a stop string has appeared (the output is cut before it).
    mutating func append(_ piece: String) -> Bool {
        let searchFrom = max(0, bytes.count - (stops.map(\.count).max() ?? 0))
        bytes.append(contentsOf: piece.utf8)
        if let cut = stops.compactMap({ firstIndex(of: $0, from: searchFrom) }).min() {
            bytes.removeSubrange(cut...)
            flush()
            return true
        }
        // Hold back the longest suffix that could still grow into a stop string.
        var held = 0
        for stop in stops {
            for length in stride(from: min(stop.count - 1, bytes.count), to: held, by: -1)
            where bytes[(bytes.count - length)...].elementsEqual(stop[..<length]) {
                held = length
                break
            }
        }
        emit(upTo: bytes.count - held)
        return false
    }

    /// Emits everything not yet emitted.
    mutating func flush() { emit(upTo: bytes.count) }

    private func firstIndex(of needle: [UInt8], from start: Int) -> Int? {
        guard bytes.count >= needle.count, start <= bytes.count - needle.count else { return nil }
        return (start...(bytes.count - needle.count)).first { bytes[$0..<($0 + needle.count)].elementsEqual(needle) }
    }

    private mutating func emit(upTo end: Int) {
        guard end > emitted else { return }
        onText?(String(decoding: bytes[emitted..<end], as: UTF8.self))
        emitted = end
    }
}
