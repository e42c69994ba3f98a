import Foundation
import LLM
import Tokenizers

/// `loom perplexity`: tokenizes a text file with the model's own tokenizer and measures perplexity
/// as `llama-perplexity -c <ctx>` does (see `LLM.Perplexity`).
public struct PerplexityRun: Sendable {
    /// Everything the command reports.
    public struct Report: Codable, Sendable, Equatable {
        /// The model file.
        public var model: String
        /// Tokens in the text (no BOS added).
        public var textTokens: Int
        /// Chunk (context) length.
        public var contextLength: Int
        /// The perplexity result.
        public var result: Perplexity.Result
        /// Wall-clock seconds of the evaluation.
        public var seconds: Double
    }

    /// Chunk length (llama-perplexity `-c`).
    public var contextLength: Int
    /// Worker threads.
    public var threads: Int

    /// Creates a run.
    public init(contextLength: Int = 512, threads: Int = 2) {
        self.contextLength = contextLength
        self.threads = threads
    }

    /// Evaluates the text at `textPath` on the model at `modelPath`; `progress` gets (chunk, running PPL).
    /// - Throws: the model's and tokenizer's load errors, file read errors, `LLMError.textTooShort`.
    public func run(modelPath: String, textPath: String, progress: ((Int, Double) -> Void)? = nil) throws -> Report {
        let model = try Transformer(path: modelPath)
        let tokenizer = try Tokenizer(gguf: model.file)
        let text = try String(contentsOfFile: textPath, encoding: .utf8)
        let tokens = tokenizer.encode(text, parseSpecial: false)
        let session = try InferenceSession(model: model, contextLength: contextLength, threads: threads)
        let clock = ContinuousClock()
        let start = clock.now
        let result = try Perplexity.evaluate(session: session, tokens: tokens, chunkLength: contextLength,
                                             progress: progress)
        return Report(model: modelPath, textTokens: tokens.count, contextLength: contextLength, result: result,
                      seconds: ModelBenchmark.seconds(clock.now - start))
    }
}
