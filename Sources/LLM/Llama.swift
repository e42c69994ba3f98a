import GGUF

/// The `llama` architecture (Llama 2/3, SmolLM2, ...).
///
/// Mirrors llama.cpp `llm_build_llama` (src/models/llama.cpp) for the dense, unscaled case:
/// per block `x += Wo·attn(rope_norm(Wq·n), rope_norm(Wk·n), Wv·n)` with `n = rmsnorm(x)·attn_norm`,
/// then `x += Wdown·(silu(Wgate·m) ⊙ Wup·m)` with `m = rmsnorm(x)·ffn_norm`; finally
/// `logits = Wout·(rmsnorm(x)·output_norm)`. RoPE uses the normal layout (pairs 2i, 2i+1).
/// No biases. `output.weight` may be absent, in which case the token embedding is reused (SmolLM2).
/// The shared graph is `DecoderBlock`; this type supplies what is llama-specific.
public struct Llama: Architecture {
    /// `general.architecture` value.
    public static let name = "llama"
    /// Llama rotates adjacent pairs.
    public var ropeStyle: RopeStyle { .normal }

    /// Creates the architecture descriptor.
    public init() {}

    /// Binds `token_embd`, `blk.N.{attn_norm,attn_q,attn_k,attn_v,attn_output,ffn_norm,ffn_gate,ffn_up,ffn_down}`,
    /// `output_norm` and `output` (or the tied embedding).
    public func bindWeights(file: GGUFFile, configuration: ModelConfiguration) throws -> ModelWeights {
        try TensorBinder(file: file, configuration: configuration).llamaLikeWeights(biases: false)
    }
}
