import GGUF
import Kernels

/// A weight matrix bound in place inside the mmapped GGUF file (no copy).
///
/// Layout as ggml stores it: `rows` rows of `columns` contiguous elements in `type`'s blocks,
/// i.e. W (rows, columns); a projection computes y (rows,) = W @ x (columns,).
public struct WeightMatrix: @unchecked Sendable {
    /// The tensor's name in the file.
    public let name: String
    /// Storage type of the elements.
    public let type: GGMLType
    /// Output dimension (GGUF `shape[1]`).
    public let rows: Int
    /// Input dimension, the contiguous row length (GGUF `shape[0]`).
    public let columns: Int
    /// Start of the tensor's data inside the mapping.
    public let data: UnsafeRawPointer
    /// The same q4_K weights repacked into 8-row panels for the int8 kernels, when the model has them.
    public var panels: Q4KPanels? = nil

    /// Bytes of one row.
    var rowBytes: Int { type.rowBytes(columns) }

    /// Whether the matrix can be repacked into q4_K panels (q4_K, rows a multiple of 8, columns of 256).
    var hasPanelShape: Bool { type == .q4_K && Q4KPanels.byteCount(rows: rows, cols: columns) != nil }

    /// Repacks a q4_K matrix into panels (kept in `panels`); other types and shapes stay as they are.
    ///
    /// The file's pages of a repacked matrix are then dropped from memory (they are read again from
    /// the file only if something still reads `data`), so the weights are not resident twice.
    mutating func repack() {
        guard hasPanelShape, panels == nil else { return }
        panels = Q4KPanels(q4K: data, rows: rows, cols: columns)
        if panels != nil { Q4KPanels.releasePages(data, bytes: rows * rowBytes) }
    }
}

/// An f32 vector (norm weights, biases) bound in place inside the mmapped GGUF file.
public struct WeightVector: @unchecked Sendable {
    /// The tensor's name in the file.
    public let name: String
    /// Number of elements.
    public let count: Int
    /// The elements.
    public let data: UnsafePointer<Float>
}

/// The weights of one Transformer block (`blk.N.*`). Biases are present only where the architecture has them.
public struct BlockWeights: Sendable {
    /// RMS-norm weight before attention, (d,).
    public var attentionNorm: WeightVector
    /// Query projection, (headCount·headDim, d).
    public var query: WeightMatrix
    /// Key projection, (kvDim, d).
    public var key: WeightMatrix
    /// Value projection, (kvDim, d).
    public var value: WeightMatrix
    /// Query bias (qwen2), (headCount·headDim,).
    public var queryBias: WeightVector?
    /// Key bias (qwen2), (kvDim,).
    public var keyBias: WeightVector?
    /// Value bias (qwen2), (kvDim,).
    public var valueBias: WeightVector?
    /// Attention output projection, (d, headCount·headDim).
    public var output: WeightMatrix
    /// RMS-norm weight before the feed-forward network, (d,).
    public var feedForwardNorm: WeightVector
    /// SwiGLU gate projection, (ff, d).
    public var gate: WeightMatrix
    /// SwiGLU up projection, (ff, d).
    public var up: WeightMatrix
    /// Feed-forward down projection, (d, ff).
    public var down: WeightMatrix
}

extension BlockWeights {
    /// The block's projections (the matrices that may be repacked into panels). Key paths are immutable.
    nonisolated(unsafe) static let projections: [WritableKeyPath<BlockWeights, WeightMatrix>] = [\.query, \.key, \.value, \.output, \.gate, \.up, \.down]

    /// Bytes of the block's repacked panels.
    var panelBytes: Int {
        Self.projections.reduce(0) { $0 + (self[keyPath: $1].panels?.byteCount ?? 0) }
    }
}

/// All weights of a decoder-only Transformer.
public struct ModelWeights: Sendable {
    /// Token embedding table, (vocab, d).
    public var tokenEmbedding: WeightMatrix
    /// The blocks, in order.
    public var blocks: [BlockWeights]
    /// Final RMS-norm weight, (d,).
    public var outputNorm: WeightVector
    /// Output (unembedding) projection, (vocab, d); the token embedding when the file ties them.
    public var output: WeightMatrix
}

extension ModelWeights {
    /// Every repacked matrix of the blocks, by tensor name, in order.
    var repackedPanels: [(name: String, panels: Q4KPanels)] {
        blocks.flatMap { block in
            BlockWeights.projections.compactMap { path in block[keyPath: path].panels.map { (name: block[keyPath: path].name, panels: $0) } }
        }
    }
}

/// Binds tensors by name from a GGUF file and checks their shapes against the configuration.
struct TensorBinder {
    let file: GGUFFile
    let configuration: ModelConfiguration

    /// Binds a matrix (rows, columns); `columns` is GGUF `shape[0]`.
    func matrix(_ name: String, rows: Int, columns: Int) throws -> WeightMatrix {
        guard let info = file.tensor(name) else { throw LLMError.missingTensor(name: name) }
        let shape = info.shape
        guard shape.count == 2, shape[0] == columns, shape[1] == rows else {
            throw LLMError.tensorShape(name: name, expected: [columns, rows], found: shape)
        }
        guard Projection.supports(info.type) else {
            throw LLMError.unsupportedTensorType(name: name, type: "\(info.type)")
        }
        return WeightMatrix(name: name, type: info.type, rows: rows, columns: columns, data: file.data(info))
    }

    /// Binds an f32 vector of `count` elements.
    func vector(_ name: String, count: Int) throws -> WeightVector {
        guard let info = file.tensor(name) else { throw LLMError.missingTensor(name: name) }
        let shape = info.shape
        guard shape.reduce(1, *) == count, shape.first == count else {
            throw LLMError.tensorShape(name: name, expected: [count], found: shape)
        }
        guard info.type == .f32 else {
            throw LLMError.unsupportedTensorType(name: name, type: "\(info.type) (expected f32)")
        }
        return WeightVector(name: name, count: count,
                            data: file.data(info).assumingMemoryBound(to: Float.self))
    }

    /// Binds a vector if the file has it, else nil.
    func optionalVector(_ name: String, count: Int) throws -> WeightVector? {
        file.tensor(name) == nil ? nil : try vector(name, count: count)
    }

    /// Binds the tensors every llama-like architecture shares; `biases` adds Q/K/V biases (qwen2).
    ///
    /// `output.weight` falls back to `token_embd.weight` when absent (tied embeddings, as in SmolLM2).
    func llamaLikeWeights(biases: Bool) throws -> ModelWeights {
        let c = configuration
        let d = c.embeddingLength, q = c.headCount * c.headDimension, kv = c.kvDimension
        let ff = c.feedForwardLength, vocab = c.vocabularySize
        var blocks: [BlockWeights] = []
        blocks.reserveCapacity(c.layerCount)
        for index in 0 ..< c.layerCount {
            let p = "blk.\(index)."
            blocks.append(BlockWeights(
                attentionNorm: try vector(p + "attn_norm.weight", count: d),
                query: try matrix(p + "attn_q.weight", rows: q, columns: d),
                key: try matrix(p + "attn_k.weight", rows: kv, columns: d),
                value: try matrix(p + "attn_v.weight", rows: kv, columns: d),
                queryBias: biases ? try vector(p + "attn_q.bias", count: q) : nil,
                keyBias: biases ? try vector(p + "attn_k.bias", count: kv) : nil,
                valueBias: biases ? try vector(p + "attn_v.bias", count: kv) : nil,
                output: try matrix(p + "attn_output.weight", rows: d, columns: q),
                feedForwardNorm: try vector(p + "ffn_norm.weight", count: d),
                gate: try matrix(p + "ffn_gate.weight", rows: ff, columns: d),
                up: try matrix(p + "ffn_up.weight", rows: ff, columns: d),
                down: try matrix(p + "ffn_down.weight", rows: d, columns: ff)))
        }
        let embedding = try matrix("token_embd.weight", rows: vocab, columns: d)
        let output = file.tensor("output.weight") == nil
            ? embedding : try matrix("output.weight", rows: vocab, columns: d)
        return ModelWeights(tokenEmbedding: embedding, blocks: blocks,
                            outputNorm: try vector("output_norm.weight", count: d), output: output)
    }
}
