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

    /// Where the repacked panels came from.
    public enum PanelSource: Equatable, Sendable {
        /// The model has no panels (no q4_K projections, or the int8 kernels are off).
        case none
        /// Repacked at load, held in memory.
        case repacked
        /// Mapped from the panel cache file at this path.
        case cache(String)
    }
    /// Where the repacked panels came from.
    public let panelSource: PanelSource

    /// Opens and binds the model at `path`.
    /// - Throws: the GGUF reader's errors for a bad file; `LLMError` for an unknown architecture,
    ///   missing metadata or a missing / ill-shaped tensor.
    public convenience init(path: String, panelCache: PanelCache? = nil, log: (String) -> Void = { _ in }) throws {
        try self.init(file: try GGUFFile(path: path), panelCache: panelCache, log: log)
    }

    /// Binds the model in an already opened file.
    /// - Throws: `LLMError` for an unknown architecture, missing metadata or a missing / ill-shaped tensor.
    ///
    /// The blocks' q4_K projections are repacked into 8-row panels for the int8 kernels (`panelBytes`
    /// bytes), unless the int8 kernels are switched off (`Kernels.setInt8MatMul`). With a
    /// `panelCache`, the panels are mapped from its file when it holds them all and checks out;
    /// otherwise they are repacked in memory and the file is written for the next process (a file
    /// that cannot be trusted or written is reported to `log`, and the model loads all the same).
    public init(file: GGUFFile, panelCache: PanelCache? = nil, log: (String) -> Void = { _ in }) throws {
        self.file = file
        guard let name = file.metadata[ModelConfiguration.Key.architecture.rawValue]?.string else {
            throw LLMError.missingMetadata(key: ModelConfiguration.Key.architecture.rawValue)
        }
        architecture = try ArchitectureRegistry.architecture(named: name)
        configuration = try ModelConfiguration(file: file)
        var weights = try architecture.bindWeights(file: file, configuration: configuration)
        panelSource = Kernels.int8MatMulEnabled && Kernels.simdEnabled
            ? Self.attachPanels(to: &weights, cache: panelCache, log: log) : .none
        self.weights = weights
    }

    /// Maps the panels of the blocks' q4_K projections from `cache`, or repacks them (and saves them
    /// to `cache`); says where they came from.
    private static func attachPanels(to weights: inout ModelWeights, cache: PanelCache?, log: (String) -> Void) -> PanelSource {
        let wanted = weights.blocks.flatMap { block in
            BlockWeights.projections.map { block[keyPath: $0] }.filter(\.hasPanelShape)
                .map { PanelCache.Matrix(name: $0.name, rows: $0.rows, cols: $0.columns) }
        }
        guard !wanted.isEmpty else { return .none }
        if let cache {
            switch cache.load(wanted) {
            case .hit(let mapped):
                for index in weights.blocks.indices {
                    for projection in BlockWeights.projections {
                        weights.blocks[index][keyPath: projection].panels = mapped[weights.blocks[index][keyPath: projection].name]
                    }
                }
                return .cache(cache.file.path)
            case .miss: break
            case .rejected(let reason): log("ignored the panel cache file \(cache.file.path): \(reason); repacking")
            }
        }
        for index in weights.blocks.indices {
            for projection in BlockWeights.projections { weights.blocks[index][keyPath: projection].repack() }
        }
        if let cache {
            do { try cache.store(weights.repackedPanels) } catch {
                log("could not save the repacked panels to \(cache.file.path): \(error)")
            }
        }
        return .repacked
    }

    /// Bytes of the repacked weight panels (in memory, or mapped from the panel cache).
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
