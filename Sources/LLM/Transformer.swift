import GGUF
import Kernels

/// A decoder-only Transformer loaded from a GGUF file: configuration, architecture and weights
/// bound in place in the file's mapping.
///
/// The model is immutable and may be shared by several `InferenceSession`s; all mutable state
/// (KV cache, scratch buffers, threads) belongs to the session.
public final class Transformer: @unchecked Sendable {
    /// The file the weights live in (kept open: the weights point into its mapping).
    public let file: GGUFFile
    /// Hyperparameters.
    public let configuration: ModelConfiguration
    /// The architecture, chosen by `general.architecture`.
    public let architecture: any Architecture
    /// The bound weights.
    public let weights: ModelWeights

    /// Opens and binds the model at `path`.
    /// - Throws: the GGUF reader's errors for a bad file; `LLMError` for an unknown architecture,
    ///   missing metadata or a missing / ill-shaped tensor.
    public convenience init(path: String) throws {
        try self.init(file: try GGUFFile(path: path))
    }

    /// Binds the model in an already opened file.
    /// - Throws: `LLMError` for an unknown architecture, missing metadata or a missing / ill-shaped tensor.
    ///
    /// The blocks' q4_K projections are repacked into 8-row panels for the int8 kernels (in memory,
    /// `panelBytes` bytes), unless the int8 kernels are switched off (`Kernels.setInt8MatMul`).
    public init(file: GGUFFile) throws {
        self.file = file
        guard let name = file.metadata[ModelConfiguration.Key.architecture.rawValue]?.string else {
            throw LLMError.missingMetadata(key: ModelConfiguration.Key.architecture.rawValue)
        }
        architecture = try ArchitectureRegistry.architecture(named: name)
        configuration = try ModelConfiguration(file: file)
        var weights = try architecture.bindWeights(file: file, configuration: configuration)
        if Kernels.int8MatMulEnabled && Kernels.simdEnabled {
            for index in weights.blocks.indices { weights.blocks[index].repack() }
        }
        self.weights = weights
    }

    /// Bytes of the repacked weight panels held in memory.
    public var panelBytes: Int { weights.blocks.reduce(0) { $0 + $1.panelBytes } }

    /// Runs `tokens` (already checked to be in the vocabulary) at positions `start ..< start + n`
    /// through the model, storing their keys/values in `cache`, and hands the logits (vocab,) of
    /// batch positions `outputFrom ..< n` to `consume` in order (batch index, logits).
    ///
    /// `tokens.count` must not exceed `workspace.capacity`, nor `start + n` the cache capacity.
    /// Output rows are projected `workspace.logitRows` at a time (one row uses `matVec`).
    func forward(_ tokens: ArraySlice<Int>, start: Int, cache: KVCache, workspace ws: Workspace,
                 pool: ThreadPool, outputFrom: Int,
                 consume: (Int, UnsafeBufferPointer<Float>) -> Void) {
        let c = configuration, d = c.embeddingLength, n = tokens.count
        // x (n, d) = token_embd[tokens]
        for (i, token) in tokens.enumerated() {
            Projection.row(weights.tokenEmbedding, token, into: ws.residual + i * d)
        }
        let block = DecoderBlock(configuration: c, ropeStyle: architecture.ropeStyle, cache: cache, workspace: ws, pool: pool)
        for (layer, blockWeights) in weights.blocks.enumerated() {
            block.run(layer: layer, weights: blockWeights, tokens: n, start: start)
        }
        // logits (m, vocab) = rmsnorm(x[rows]) · output_norm @ Woutᵀ, m ≤ logitRows rows at a time
        var first = outputFrom
        while first < n {
            let m = min(ws.logitRows, n - first)
            Ops.rmsNormRows(ws.residual + first * d, weight: weights.outputNorm.data, rows: m, width: d,
                        epsilon: c.rmsNormEpsilon, into: ws.normed, pool: pool)
            Projection.apply(weights.output, ws.normed, rows: m, into: ws.logits, pool: pool)
            for r in 0 ..< m {
                consume(first + r, UnsafeBufferPointer(start: ws.logits + r * c.vocabularySize,
                                                       count: c.vocabularySize))
            }
            first += m
        }
    }
}
