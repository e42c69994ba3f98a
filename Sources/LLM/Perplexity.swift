import Foundation

/// Perplexity of a model on a token sequence, computed exactly as `llama-perplexity` does.
///
/// Mirrors llama.cpp `tools/perplexity/perplexity.cpp` (`perplexity()`, no BOS added): the tokens
/// are cut into `chunkLength`-token chunks (the remainder is dropped); each chunk is evaluated from
/// an empty cache, and only its second half is scored — the logits at chunk positions
/// `chunkLength/2 ..< chunkLength - 1` predict the tokens at `chunkLength/2 + 1 ..< chunkLength`
/// (255 tokens per 512-token chunk). The result is `exp(mean negative log-likelihood)`.
public enum Perplexity {
    /// The outcome of a perplexity run.
    public struct Result: Equatable, Sendable, Codable {
        /// Chunks evaluated.
        public var chunks: Int
        /// Tokens scored (chunks × (chunkLength − 1 − chunkLength/2)).
        public var scoredTokens: Int
        /// exp(mean negative log-likelihood).
        public var perplexity: Double
        /// llama.cpp's standard-error estimate of `perplexity`.
        public var standardError: Double
        /// Running perplexity after each chunk (what llama-perplexity prints as it goes).
        public var perChunk: [Double]
    }

    /// Evaluates `tokens` in chunks of `chunkLength` on `session` (which is reset for each chunk).
    /// - Parameters:
    ///   - session: a session whose context holds at least `chunkLength` tokens.
    ///   - progress: called after each chunk with (chunk index, running perplexity).
    /// - Throws: `LLMError.textTooShort` if not one full chunk; `.invalidArgument` for a bad chunk
    ///   length; the session's errors for bad tokens.
    public static func evaluate(session: InferenceSession, tokens: [Int], chunkLength: Int = 512,
                                progress: ((Int, Double) -> Void)? = nil) throws -> Result {
        guard chunkLength >= 4, chunkLength <= session.contextLength else {
            throw LLMError.invalidArgument(
                "chunk length \(chunkLength) must be between 4 and the session's context (\(session.contextLength))")
        }
        let chunks = tokens.count / chunkLength
        guard chunks > 0 else { throw LLMError.textTooShort(tokens: tokens.count, chunkLength: chunkLength) }
        let first = chunkLength / 2
        var sum = 0.0, sumSquares = 0.0, count = 0
        var perChunk: [Double] = []
        for chunk in 0 ..< chunks {
            let ids = Array(tokens[chunk * chunkLength ..< (chunk + 1) * chunkLength])
            session.reset()
            try session.evaluate(ids, outputFrom: first) { position, logits in
                guard position >= first, position + 1 < ids.count else { return }
                let nll = logSumExp(logits) - Double(logits[ids[position + 1]])
                sum += nll
                sumSquares += nll * nll
                count += 1
            }
            perChunk.append(exp(sum / Double(count)))
            progress?(chunk, exp(sum / Double(count)))
        }
        let mean = sum / Double(count)
        let variance = sumSquares / Double(count) - mean * mean
        let error = count > 1 ? (max(variance, 0) / Double(count - 1)).squareRoot() : 0
        return Result(chunks: chunks, scoredTokens: count, perplexity: exp(mean),
                      standardError: exp(mean) * error, perChunk: perChunk)
    }

    /// log Σ exp(logits), accumulated in double.
    static func logSumExp(_ logits: UnsafeBufferPointer<Float>) -> Double {
        var maximum = -Float.infinity
        for value in logits { maximum = max(maximum, value) }
        var sum = 0.0
        for value in logits { sum += exp(Double(value - maximum)) }
        return Double(maximum) + log(sum)
    }
}
