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
    /// The session, for tests that look at its cache.
    var sessionForTesting: InferenceSession { session }
    /// Where the keys and values of system prompts are saved between processes (nil: not saved).
    public let promptCache: PromptCache?
    /// Whether text that the constraint leaves no choice about is appended without sampling.
    public var jumpForward = true
    /// Forced runs of at least this many tokens are computed as one batch, shorter ones one token at a
    /// time. On the int8 kernels a batch of 2 tokens of the 1.5B model costs 0.23 s against 0.36 s for
    /// two single steps (4 tokens: 0.25 s against 0.71 s), so every run of two or more is batched.
    public var forcedBatchMinimum = 2
    fileprivate let log: (String) -> Void
    /// Tokens of the last prompt evaluated (a follow-up call's prompt extends it).
    fileprivate var lastPromptCount = 0
    private let lock = NSLock()

    /// Loads a GGUF model.
    /// - Parameters:
    ///   - path: the `.gguf` file.
    ///   - name: a short name for traces (default: the file name without `.gguf`).
    ///   - sha256: the file's hash, when the caller knows it (registry entries do).
    ///   - contextLength: KV cache positions (default: the trained length, at most
    ///     `defaultContextCap`). The cache's pages are only touched as positions fill, so a short run
    ///     of a long context costs little memory.
    ///   - threads: worker threads of the forward pass.
    ///   - promptCache: where system prompts' keys and values are saved and loaded (see `PromptCache`).
    ///   - panelCache: where the repacked weight panels are saved and mapped from (see `PanelCache`).
    ///   - log: where a warning goes (an unrecognised chat template falls back to ChatML and says so; a
    ///     prompt or panel cache file that cannot be trusted is ignored and says why).
    /// - Throws: `GGUFError`, `TokenizerError` or `LLMError` describing what is wrong with the file.
    public init(path: String, name: String? = nil, sha256: String? = nil, contextLength: Int? = nil, threads: Int = 2,
                promptCache: PromptCache? = nil, panelCache: PanelCache? = nil,
                log: @escaping (String) -> Void = { FileHandle.standardError.write(Data(("loom: " + $0 + "\n").utf8)) }) throws {
        self.promptCache = promptCache
        self.log = log
        let file = try GGUFFile(path: path)
        tokenizer = try Tokenizer(gguf: file)
        template = try ChatTemplate(jinja: tokenizer.chatTemplate, allowFallback: true)
        if let reason = template.fallbackReason { log(reason) }
        transformer = try Transformer(file: file, panelCache: panelCache, log: log)
        let context = contextLength ?? min(transformer.configuration.trainedContextLength, Self.defaultContextCap)
        session = try InferenceSession(model: transformer, contextLength: context, threads: threads)
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        info = ModelInfo(name: name ?? (fileName.hasSuffix(".gguf") ? String(fileName.dropLast(5)) : fileName),
                         sha256: sha256, contextLength: context)
    }

    /// Reports a long prompt's progress: `handler(computed, total)` before each batch of a prompt that
    /// takes several, and once when it is done (a terminal shows it while an agent's first call reads
    /// thousands of tokens). Nil stops the reports.
    public func setPromptProgress(_ handler: (@Sendable (_ computed: Int, _ total: Int) -> Void)?) {
        lock.withLock {
            let batch = session.batchSize
            session.onBatch = handler.map { report in { computed, total in if total > batch { report(computed, total) } } }
        }
    }

    /// The most KV cache positions a model gets by default: Qwen2.5 is trained for 32,768, but a full
    /// cache of 16,384 positions already takes 0.9 GB for the 1.5B model (f16 values in f32 slots,
    /// 56 KB a position) and 0.4 GB for the 0.5B one.
    public static let defaultContextCap = 16_384

    /// Runs one chat completion: renders the conversation with the model's template (plus
    /// `request.prefill`), generates until an end-of-turn token, a stop string, `maxTokens`, or the
    /// end of the constrained value, streaming complete characters to `onText`.
    ///
    /// A JSON-Schema constraint covers the prefill too when the prefill is a valid start of the value
    /// (`{"name": "evaluate", "arguments": `): the JSON is then prefill + text. Otherwise (for
    /// example `<tool_call>\n`) the constraint applies to the generated text alone. Under a
    /// constraint the text (streamed and returned) is JSON: raw tabs and newlines the model wrote
    /// inside strings come out escaped (see `JSONConstraint.RawControlEscaper`), so it is not always
    /// the decoding of `generatedTokens`.
    public func complete(_ request: CompletionRequest, onText: (@Sendable (String) -> Void)?) async throws -> Completion {
        let pieces = template.render(request.messages, tools: request.tools, addGenerationPrompt: true, prefill: request.prefill)
        var prompt = Prompt(text: pieces.text, tokens: tokenizer.encode(pieces))
        prompt.cachePoint = systemTurnLength(request, prompt: prompt.tokens)
        let constraint: JSONSchema? = request.constraint.map { if case let .jsonSchema(schema) = $0 { JSONSchema(schema) } else { nil } } ?? nil
        return try generate(prompt, sampling: request.sampling, maxTokens: request.maxTokens, stop: request.stop,
                            constraint: constraint, constrainedPrefix: request.prefill, onText: onText)
    }

    /// The tokens of the request's system turn (system prompt and tool list), when the prompt starts
    /// with them and goes on after them: the part of a prompt that every question to an agent shares.
    func systemTurnLength(_ request: CompletionRequest, prompt: [Int]) -> Int? {
        guard let first = request.messages.first, first.role == .system else { return nil }
        let system = tokenizer.encode(template.render([first], tools: request.tools, addGenerationPrompt: false))
        guard system.count >= Self.minimumCachedPrefix, system.count < prompt.count - 1,
              prompt.starts(with: system) else { return nil }
        return system.count
    }

    /// Warms the prompt cache: computes (or loads) the keys and values of `request`'s system turn and
    /// saves them, as the first call with that system turn would.
    /// - Returns: the system turn's length in tokens and whether it was already on disk (nil when the
    ///   request has no system turn long enough to cache).
    public func warm(_ request: CompletionRequest) throws -> (tokens: Int, alreadyCached: Bool)? {
        try lock.withLock {
            let pieces = template.render(request.messages, tools: request.tools, addGenerationPrompt: true, prefill: request.prefill)
            let tokens = tokenizer.encode(pieces)
            guard let point = systemTurnLength(request, prompt: tokens) else { return nil }
            let fromDisk = try evaluatePrefix(tokens, cachePoint: point)
            return (point, fromDisk > 0)
        }
    }

    /// A prompt as text and token ids.
    public struct Prompt: Sendable {
        /// The exact text the model sees.
        public var text: String
        /// Its token ids.
        public var tokens: [Int]
        /// Length of the prefix that is computed as a forward pass of its own and shared through the
        /// prompt cache (the system turn), if any.
        public var cachePoint: Int?

        /// Creates a prompt.
        public init(text: String, tokens: [Int], cachePoint: Int? = nil) {
            self.text = text
            self.tokens = tokens
            self.cachePoint = cachePoint
        }
    }

    /// Generates a continuation of a prompt (the core of `complete`, also used for raw prompts).
    /// - Parameter constrainedPrefix: text at the end of the prompt that the constraint starts from,
    ///   if it is a valid start of the value (see `complete`).
    /// - Throws: `LLMError` when the prompt does not fit the context or the constraint allows no token;
    ///   `CancellationError` when the calling task is cancelled (checked before each token).
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
    /// The shortest system turn worth a prompt-cache entry.
    static let minimumCachedPrefix = 32

    private func generateLocked(_ prompt: Prompt, sampling: SamplingSettings, maxTokens: Int, stop: [String],
                                constraint schema: JSONSchema?, constrainedPrefix: String,
                                onText: (@Sendable (String) -> Void)?) throws -> Completion {
        guard !prompt.tokens.isEmpty else { throw LLMError.emptyInput }
        // A prompt that leaves no room to generate is reported, not evaluated: the caller shortens it.
        guard prompt.tokens.count + min(maxTokens, Self.minimumRoom) <= session.contextLength else {
            return Completion(text: "", prompt: prompt.text, promptTokens: prompt.tokens, finishReason: .promptTooLong)
        }
        let start = Date()
        var (logits, reused, fromDisk) = try evaluatePrompt(prompt.tokens, cachePoint: prompt.cachePoint)
        let promptSeconds = Date().timeIntervalSince(start)

        var sampler = Sampler(settings: sampling)
        var maskSeconds = 0.0
        func timed<T>(_ body: () throws -> T) rethrows -> T {
            let begin = DispatchTime.now().uptimeNanoseconds
            defer { maskSeconds += Double(DispatchTime.now().uptimeNanoseconds - begin) / 1e9 }
            return try body()
        }
        var constraint = schema.map { TokenConstraint(schema: $0, tokenizer: tokenizer) }
        // Constrained output is made JSON as it streams: raw tabs and newlines in strings are escaped.
        var escaper = schema.map { _ in JSONConstraint.RawControlEscaper() }
        if var started = constraint, !constrainedPrefix.isEmpty, timed({ started.advance(bytes: Array(constrainedPrefix.utf8)) }) {
            constraint = started
            _ = escaper?.escape(constrainedPrefix)
        }
        var detokenizer = StreamingDetokenizer(tokenizer: tokenizer)
        var stream = StopStringStream(stops: stop, onText: onText)
        /// Adds decoded text to the output; returns true when a stop string has appeared.
        func emit(_ piece: String) -> Bool { stream.append(escaper?.escape(piece) ?? piece) }
        var context = prompt.tokens
        var generated: [Int] = []
        var forced = 0
        var finish = Completion.FinishReason.maxTokens

        /// Appends a chosen token; returns the finish reason if generation ends with it.
        func accept(_ token: Int) -> Completion.FinishReason? {
            generated.append(token)
            context.append(token)
            timed { _ = constraint?.advance(token) }
            if emit(detokenizer.append(token)) { return .stopString }
            if timed({ constraint?.isFinished == true }) { return .constraintComplete }
            return nil
        }

        generation: while generated.count < maxTokens && context.count < session.contextLength {
            // A caller that gave up (a server's client went away) stops the generation between tokens.
            try Task.checkCancellation()
            // Near the end of the budget, a constrained value is closed while there is room to close it.
            let left = min(maxTokens - generated.count, session.contextLength - context.count)
            if let current = constraint, left <= Self.closingWindow,
               let closing = timed({ current.json.shortestCompletion() }), !closing.isEmpty {
                let tokens = tokenizer.encode(String(decoding: closing, as: UTF8.self))
                if tokens.count + Self.closingMargin >= left {
                    for token in tokens {
                        generated.append(token)
                        context.append(token)
                        constraint?.advance(token)
                        _ = emit(detokenizer.append(token))
                    }
                    finish = .closedAtLimit
                    break generation
                }
            }
            // Text the constraint leaves no choice about is appended at once, as the model's own
            // tokenizer would split it, and run through the model as one batch.
            if jumpForward, let current = constraint, left > Self.closingWindow {
                let tokens = timed { forcedTokens(after: generated, constraint: current, limit: left - Self.closingWindow) }
                if !tokens.isEmpty {
                    for token in tokens {
                        forced += 1
                        if let end = accept(token) {
                            finish = end
                            break generation
                        }
                    }
                    if tokens.count >= forcedBatchMinimum {
                        logits = try session.logits(after: context)
                    } else {
                        for end in (context.count - tokens.count + 1)...context.count {
                            logits = try session.logits(after: Array(context[..<end]))
                        }
                    }
                    continue generation
                }
            }
            let current = constraint
            guard let token = timed({ sampler.sample(logits: logits, history: context, allows: current.map { c in { c.allows($0) } }) }) else {
                throw LLMError.invalidArgument("the output constraint allows no next token after \(generated.count) generated tokens")
            }
            if tokenizer.endOfGenerationTokens.contains(token) {
                finish = .endOfTurn
                break
            }
            if let end = accept(token) {
                finish = end
                break generation
            }
            if generated.count < maxTokens && context.count < session.contextLength {
                logits = try session.logits(after: context)
            }
        }
        if finish != .stopString { _ = emit(detokenizer.finish()) }
        stream.flush()
        return Completion(text: stream.text, prompt: prompt.text, promptTokens: prompt.tokens, generatedTokens: generated,
                          reusedPromptTokens: reused, finishReason: finish, promptSeconds: promptSeconds,
                          generateSeconds: Date().timeIntervalSince(start) - promptSeconds,
                          diskCachedPromptTokens: promptCache == nil ? nil : fromDisk,
                          forcedTokens: schema == nil ? nil : forced, maskSeconds: schema == nil ? nil : maskSeconds)
    }

    /// The tokens to append without sampling after `generated`: the bytes the constraint allows no
    /// alternative to, tokenized as the tokenizer splits the whole output (so the tokens are the
    /// canonical ones, as if the model had written them), without the last token of that split (it
    /// may merge with the text that follows). Empty when the split does not extend `generated`.
    func forcedTokens(after generated: [Int], constraint: TokenConstraint, limit: Int) -> [Int] {
        let bytes = constraint.forcedContinuation(limit: 256)
        guard bytes.count >= 2 else { return [] }
        var text: [UInt8] = []
        for token in generated { tokenizer.withBytes(of: token) { text.append(contentsOf: $0) } }
        text.append(contentsOf: bytes)
        let split = text.withUnsafeBufferPointer { tokenizer.encode(bytes: $0, parseSpecial: false) }
        guard split.count > generated.count + 1, split.starts(with: generated) else { return [] }
        var tokens = Array(split[generated.count ..< split.count - 1].prefix(limit))
        // Every forced token must be one the constraint allows (it is, unless the split is unusual).
        var check = constraint
        for (index, token) in tokens.enumerated() where !check.allows(token) || !check.advance(token) {
            tokens.removeSubrange(index...)
            break
        }
        return tokens
    }
}

extension LocalModel {
    /// The logits after the prompt, how many prompt tokens were not computed (reused in memory or
    /// loaded from disk), and how many were loaded from the prompt cache on disk.
    ///
    /// The system turn (`cachePoint`), when the cache does not already hold it, is loaded from the
    /// prompt cache or computed as a forward pass of its own (and saved), so the rest of the prompt
    /// is split the same way whether or not it came from disk. The last prompt token is always
    /// computed as a single-token step, whether or not the cache already held it: a batched and a
    /// single-token pass round differently, and the logits that choose the first generated token
    /// must not depend on what earlier calls left in the cache (the same request twice gives the
    /// same tokens).
    func evaluatePrompt(_ tokens: [Int], cachePoint: Int?) throws -> (logits: [Float], reused: Int, fromDisk: Int) {
        let cached = session.cachedTokens
        var common = 0
        while common < cached.count, common < tokens.count, cached[common] == tokens[common] { common += 1 }
        defer { lastPromptCount = tokens.count }
        // A prompt that does not extend the last one starts a new conversation: it reuses the cached
        // system turn but nothing after it (a question sharing its first words with the last one), so
        // it is split as in a fresh process and a live replay of it is exact.
        if let point = cachePoint, common > point, common < lastPromptCount {
            try session.prefill(Array(tokens[..<point]))
            common = point
        }
        var fromDisk = 0, prefixDone = false
        if let point = cachePoint, common < point {
            fromDisk = try evaluatePrefix(tokens, cachePoint: point)
            prefixDone = true
        }
        guard tokens.count >= 2, max(common, fromDisk) < tokens.count - 1 else {
            let logits = try session.logits(after: tokens)
            return (logits, session.lastEvaluation.reusedTokens, fromDisk)
        }
        _ = try session.logits(after: Array(tokens.dropLast()))
        let reused = prefixDone ? max(common, fromDisk) : session.lastEvaluation.reusedTokens
        return (try session.logits(after: tokens), reused, fromDisk)
    }

    /// Brings the session to `tokens[..<cachePoint]`: loaded from the prompt cache if it has them,
    /// else computed as one evaluation and saved. Returns how many tokens came from disk.
    fileprivate func evaluatePrefix(_ tokens: [Int], cachePoint point: Int) throws -> Int {
        let prefix = tokens[..<point]
        if session.cachedTokens.starts(with: prefix) {
            return 0
        }
        if let cache = promptCache {
            switch cache.load(prefix, into: session) {
            case .hit(let count): return count
            case .miss: break
            case .rejected(let reason): log("prompt cache: ignored \(cache.file(for: prefix).lastPathComponent): \(reason)")
            }
        }
        try session.prefill(Array(prefix))
        if let cache = promptCache {
            do { try cache.store(count: point, from: session) } catch {
                log("prompt cache: not saved: \(error)")
            }
        }
        return 0
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
