import GGUF

/// The `qwen2` architecture (Qwen2, Qwen2.5, Qwen2.5-Coder).
///
/// Mirrors llama.cpp `llm_build_qwen2` (src/models/qwen2.cpp): the llama block with three
/// differences — Q, K and V projections carry biases (`blk.N.attn_{q,k,v}.bias`, added before RoPE),
/// RoPE uses the NEOX layout (pairs i, i + headDim/2), and grouped-query attention with few KV heads
/// (2 for the 0.5B and 1.5B models). `output.weight` is usually separate (untied) but a file without
/// it falls back to the token embedding, as llama.cpp does.
/// The shared graph is `DecoderBlock`; this type supplies what is qwen2-specific.
public struct Qwen2: Architecture {
    /// `general.architecture` value.
    public static let name = "qwen2"
    /// Qwen2 rotates the two halves of each head.
    public var ropeStyle: RopeStyle { .neox }

    /// Creates the architecture descriptor.
    public init() {}

    /// Binds the llama tensors plus the Q/K/V biases.
    public func bindWeights(file: GGUFFile, configuration: ModelConfiguration) throws -> ModelWeights {
        try TensorBinder(file: file, configuration: configuration).llamaLikeWeights(biases: true)
    }
}
