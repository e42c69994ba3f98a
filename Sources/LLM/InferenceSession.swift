import Kernels

/// A running context of one model: a KV cache with prefix reuse, scratch buffers and threads.
///
/// `logits(after:)` takes the whole token sequence each time; the session keeps the keys and values
/// of the tokens it has already seen, rolls back to the longest common prefix, and computes only
/// the new tokens — in batches of up to `batchSize` (the `matMul`/sgemm path), or as one
/// single-token step (the `matVec` path) when only one token is new. Which split was used is
/// recorded in `lastEvaluation`, because the two paths round differently: a replay that feeds
/// the same sequences in the same calls gets bit-identical logits, for any thread count.
///
/// Not thread-safe: one session serves one caller at a time.
public final class InferenceSession {
    /// How one call's tokens were computed.
    public struct Evaluation: Equatable, Sendable, Codable {
        /// Tokens whose keys/values were reused from the cache.
        public var reusedTokens: Int
        /// Tokens run through the model.
        public var computedTokens: Int
        /// Sizes of the forward passes, in order; a 1 is a single-token (decode) step.
        public var batches: [Int]

        /// Creates a record.
        public init(reusedTokens: Int, computedTokens: Int, batches: [Int]) {
            self.reusedTokens = reusedTokens
            self.computedTokens = computedTokens
            self.batches = batches
        }
    }

    /// The default number of tokens per forward pass (llama.cpp's default `n_ubatch`).
    public static let defaultBatchSize = 512

    /// The model.
    public let model: Transformer
    /// Positions the KV cache holds.
    public let contextLength: Int
    /// Most tokens per forward pass.
    public let batchSize: Int
    /// Worker threads.
    public let threads: Int
    /// How the tokens of the last call were computed.
    public private(set) var lastEvaluation = Evaluation(reusedTokens: 0, computedTokens: 0, batches: [])
    /// Called before each batch of a prompt evaluation and once after the last of several, with the
    /// tokens computed so far and the tokens to compute in all (the prompt's progress, for a terminal).
    public var onBatch: ((_ computed: Int, _ total: Int) -> Void)?

    private let cache: KVCache
    private let workspace: Workspace
    private let pool: ThreadPool
    /// Logits of the last cached position, when the last call computed them.
    private var lastLogits: [Float]?

    /// Creates a session with an empty cache of `contextLength` positions.
    /// - Parameters:
    ///   - contextLength: positions the cache holds (1 ... 1,048,576); the KV cache takes
    ///     `2 · layers · contextLength · kvDim · 4` bytes once filled.
    ///   - threads: worker threads (≥ 1).
    ///   - batchSize: most tokens per forward pass (≥ 1).
    /// - Throws: `LLMError.invalidArgument` for an out-of-range setting.
    public init(model: Transformer, contextLength: Int, threads: Int = 2,
                batchSize: Int = InferenceSession.defaultBatchSize) throws {
        guard (1 ... 1 << 20).contains(contextLength) else {
            throw LLMError.invalidArgument("context length \(contextLength) is outside 1 ... \(1 << 20)")
        }
        guard (1 ... 256).contains(threads) else {
            throw LLMError.invalidArgument("thread count \(threads) is outside 1 ... 256")
        }
        guard batchSize >= 1 else { throw LLMError.invalidArgument("batch size \(batchSize) must be at least 1") }
        let c = model.configuration
        self.model = model
        self.contextLength = contextLength
        self.threads = threads
        self.batchSize = min(batchSize, contextLength)
        cache = try KVCache(layerCount: c.layerCount, capacity: contextLength, kvDimension: c.kvDimension)
        workspace = Workspace(configuration: c, capacity: self.batchSize, logitRows: 32)
        pool = ThreadPool(threadCount: threads)
    }

    /// The tokens whose keys/values the cache holds, in position order.
    public var cachedTokens: [Int] { cache.tokens }

    /// Bytes of the KV cache once full.
    public var cacheByteCount: Int { cache.byteCount }

    /// Forgets every cached token.
    public func reset() {
        cache.tokens.removeAll(keepingCapacity: true)
        lastLogits = nil
    }

    /// The logits (vocab,) of the last position of `tokens`, computing only what the cache lacks.
    /// - Throws: `LLMError.emptyInput`, `.tokenOutOfRange`, `.contextOverflow`.
    public func logits(after tokens: [Int]) throws -> [Float] {
        let vocab = model.configuration.vocabularySize
        var result = [Float](repeating: 0, count: vocab)
        try evaluate(tokens, outputFrom: tokens.count - 1) { _, logits in
            result.withUnsafeMutableBufferPointer { $0.baseAddress!.update(from: logits.baseAddress!, count: vocab) }
        }
        return result
    }

    /// Brings the cache to `tokens` without computing any logits: the keys and values of a prefix
    /// that later calls extend (an agent's system prompt), computed as forward passes of their own.
    /// - Throws: `LLMError.emptyInput`, `.tokenOutOfRange`, `.contextOverflow`.
    public func prefill(_ tokens: [Int]) throws {
        try evaluate(tokens, outputFrom: tokens.count) { _, _ in }
    }

    /// Replaces the cache's contents with `tokens`, whose keys and values `fill` writes into the
    /// cache rows of positions `0 ..< tokens.count` (a prompt-cache entry being loaded).
    func restore(tokens: [Int], fill: (KVCache) -> Void) {
        precondition(tokens.count <= contextLength, "a restored prefix must fit the context")
        cache.tokens.removeAll(keepingCapacity: true)
        lastLogits = nil
        fill(cache)
        cache.tokens = tokens
        lastEvaluation = Evaluation(reusedTokens: tokens.count, computedTokens: 0, batches: [])
    }

    /// Lends the cache to `body` (to read the rows of cached positions).
    func withCache<R>(_ body: (KVCache) throws -> R) rethrows -> R { try body(cache) }

    /// The logits (vocab,) of every position the call computes, in order: positions
    /// `lastEvaluation.reusedTokens ..< tokens.count` (just the last position if all were cached).
    /// - Throws: `LLMError.emptyInput`, `.tokenOutOfRange`, `.contextOverflow`.
    public func logitsForNewPositions(after tokens: [Int]) throws -> [[Float]] {
        var rows: [[Float]] = []
        try evaluate(tokens, outputFrom: 0) { _, logits in rows.append(Array(logits)) }
        return rows
    }

    /// Brings the cache to `tokens` and hands `consume` the logits of each computed position
    /// `p ≥ outputFrom` (and of the last position, unless `outputFrom` is `tokens.count`: then none),
    /// in order, as (position, logits).
    func evaluate(_ tokens: [Int], outputFrom: Int,
                  consume: (Int, UnsafeBufferPointer<Float>) -> Void) throws {
        try validate(tokens)
        let wantsLogits = outputFrom < tokens.count
        var reused = commonPrefixLength(cache.tokens, tokens)
        if reused == tokens.count && !wantsLogits {
            if reused < cache.tokens.count { lastLogits = nil }
            cache.tokens.removeSubrange(reused...)
            lastEvaluation = Evaluation(reusedTokens: reused, computedTokens: 0, batches: [])
            return
        }
        if reused == tokens.count {
            if reused == cache.tokens.count, let logits = lastLogits {
                lastEvaluation = Evaluation(reusedTokens: reused, computedTokens: 0, batches: [])
                logits.withUnsafeBufferPointer { consume(tokens.count - 1, $0) }
                return
            }
            reused -= 1  // recompute the last token to get its logits
        }
        cache.tokens.removeSubrange(reused...)
        lastLogits = nil
        var batches: [Int] = []
        var start = reused
        while start < tokens.count {
            // A caller that gave up (a server's client went away) stops a long prompt between batches.
            try Task.checkCancellation()
            onBatch?(start - reused, tokens.count - reused)
            let n = min(batchSize, tokens.count - start)
            let first = wantsLogits ? max(min(outputFrom, tokens.count - 1), start) : start + n
            model.forward(tokens[start ..< start + n], start: start, cache: cache, workspace: workspace,
                          pool: pool, outputFrom: min(first - start, n)) { index, logits in
                let position = start + index
                if position == tokens.count - 1 { lastLogits = Array(logits) }
                consume(position, logits)
            }
            cache.tokens.append(contentsOf: tokens[start ..< start + n])
            batches.append(n)
            start += n
        }
        if batches.count > 1 { onBatch?(tokens.count - reused, tokens.count - reused) }
        lastEvaluation = Evaluation(reusedTokens: reused, computedTokens: tokens.count - reused, batches: batches)
    }

    private func validate(_ tokens: [Int]) throws {
        guard !tokens.isEmpty else { throw LLMError.emptyInput }
        guard tokens.count <= contextLength else {
            throw LLMError.contextOverflow(requested: tokens.count, contextLength: contextLength)
        }
        let vocab = model.configuration.vocabularySize
        if let bad = tokens.first(where: { $0 < 0 || $0 >= vocab }) {
            throw LLMError.tokenOutOfRange(token: bad, vocabularySize: vocab)
        }
    }

    private func commonPrefixLength(_ a: [Int], _ b: [Int]) -> Int {
        var i = 0
        while i < a.count, i < b.count, a[i] == b[i] { i += 1 }
        return i
    }
}
