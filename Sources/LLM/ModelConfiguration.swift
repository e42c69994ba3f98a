import GGUF

/// The hyperparameters of a decoder-only Transformer, read from GGUF metadata.
///
/// Mirrors llama.cpp `llama_hparams` for the keys Loom's architectures use.
public struct ModelConfiguration: Equatable, Sendable {
    /// `general.architecture`, e.g. `llama` or `qwen2`.
    public var architecture: String
    /// Number of Transformer blocks.
    public var layerCount: Int
    /// Width of the residual stream (d_model).
    public var embeddingLength: Int
    /// Hidden width of the feed-forward network.
    public var feedForwardLength: Int
    /// Number of query heads.
    public var headCount: Int
    /// Number of key/value heads (GQA: `headCount` is a multiple of it).
    public var headCountKV: Int
    /// Base of the RoPE frequencies.
    public var ropeFrequencyBase: Float
    /// Epsilon of the RMS norms.
    public var rmsNormEpsilon: Float
    /// Context length the model was trained for.
    public var trainedContextLength: Int
    /// Vocabulary size (rows of the embedding and output matrices).
    public var vocabularySize: Int

    /// Width of one attention head.
    public var headDimension: Int { embeddingLength / headCount }
    /// Width of all key (or value) heads of one position.
    public var kvDimension: Int { headCountKV * headDimension }

    /// The GGUF metadata keys, each spelled once; `%` stands for the architecture name.
    ///
    /// Mirrors llama.cpp `LLM_KV_NAMES`.
    enum Key: String, CaseIterable {
        case architecture = "general.architecture"
        case blockCount = "%.block_count"
        case embeddingLength = "%.embedding_length"
        case feedForwardLength = "%.feed_forward_length"
        case headCount = "%.attention.head_count"
        case headCountKV = "%.attention.head_count_kv"
        case ropeFrequencyBase = "%.rope.freq_base"
        case rmsEpsilon = "%.attention.layer_norm_rms_epsilon"
        case contextLength = "%.context_length"
        case vocabularySize = "%.vocab_size"
        case tokens = "tokenizer.ggml.tokens"

        /// The key as stored in the file for `architecture`.
        func name(_ architecture: String) -> String {
            rawValue.replacingOccurrences(of: "%", with: architecture)
        }
    }

    /// Creates a configuration from explicit values (tests, synthetic models).
    public init(architecture: String, layerCount: Int, embeddingLength: Int, feedForwardLength: Int,
                headCount: Int, headCountKV: Int, ropeFrequencyBase: Float, rmsNormEpsilon: Float,
                trainedContextLength: Int, vocabularySize: Int) {
        self.architecture = architecture
        self.layerCount = layerCount
        self.embeddingLength = embeddingLength
        self.feedForwardLength = feedForwardLength
        self.headCount = headCount
        self.headCountKV = headCountKV
        self.ropeFrequencyBase = ropeFrequencyBase
        self.rmsNormEpsilon = rmsNormEpsilon
        self.trainedContextLength = trainedContextLength
        self.vocabularySize = vocabularySize
    }

    /// Reads the configuration from a GGUF file's metadata and checks it is self-consistent.
    ///
    /// The vocabulary size comes from `<arch>.vocab_size`, else from `tokenizer.ggml.tokens`,
    /// else from the rows of `token_embd.weight`.
    /// - Throws: `LLMError.missingMetadata` / `.invalidMetadata`.
    public init(file: GGUFFile) throws {
        guard let arch = file.metadata[Key.architecture.rawValue]?.string else {
            throw LLMError.missingMetadata(key: Key.architecture.rawValue)
        }
        func integer(_ key: Key, default fallback: Int? = nil) throws -> Int {
            let name = key.name(arch)
            guard let value = file.metadata[name] else {
                if let fallback { return fallback }
                throw LLMError.missingMetadata(key: name)
            }
            guard let int = value.int, int > 0, int < 1 << 24 else {
                throw LLMError.invalidMetadata(key: name, reason: "expected a positive integer, found \(value)")
            }
            return int
        }
        func real(_ key: Key, default fallback: Float) throws -> Float {
            let name = key.name(arch)
            guard let value = file.metadata[name] else { return fallback }
            guard let double = value.double, double.isFinite, double > 0 else {
                throw LLMError.invalidMetadata(key: name, reason: "expected a positive number, found \(value)")
            }
            return Float(double)
        }
        var vocabulary = 0
        if let int = file.metadata[Key.vocabularySize.name(arch)]?.int {
            vocabulary = int
        } else if let tokens = file.metadata[Key.tokens.rawValue]?.array {
            vocabulary = tokens.count
        } else if let embedding = file.tensor("token_embd.weight"), embedding.shape.count == 2 {
            vocabulary = embedding.shape[1]
        }
        guard vocabulary > 0 else { throw LLMError.missingMetadata(key: Key.vocabularySize.name(arch)) }
        let heads = try integer(.headCount)
        self.init(architecture: arch,
                  layerCount: try integer(.blockCount),
                  embeddingLength: try integer(.embeddingLength),
                  feedForwardLength: try integer(.feedForwardLength),
                  headCount: heads,
                  headCountKV: try integer(.headCountKV, default: heads),
                  ropeFrequencyBase: try real(.ropeFrequencyBase, default: 10_000),
                  rmsNormEpsilon: try real(.rmsEpsilon, default: 1e-5),
                  trainedContextLength: try integer(.contextLength, default: 2048),
                  vocabularySize: vocabulary)
        try validate()
    }

    /// Checks the relations between the sizes (head width, GQA grouping).
    /// - Throws: `LLMError.invalidMetadata` naming the offending key.
    public func validate() throws {
        if embeddingLength % headCount != 0 || headDimension % 2 != 0 {
            throw LLMError.invalidMetadata(
                key: Key.headCount.name(architecture),
                reason: "\(headCount) heads do not split the embedding width \(embeddingLength) into even-width heads")
        }
        if headCountKV > headCount || headCount % headCountKV != 0 {
            throw LLMError.invalidMetadata(
                key: Key.headCountKV.name(architecture),
                reason: "\(headCountKV) key/value heads do not divide \(headCount) query heads")
        }
    }
}
