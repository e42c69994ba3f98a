import CKernels

/// Single-token attention over the f32 KV cache for the query heads that share one KV head
/// (grouped-query attention): each cached key and value row is read once for the whole group.
/// AVX2/FMA when the SIMD kernels are on, portable scalar code otherwise; runs on the calling thread.
public enum DecodeAttention {
    /// scores (group, length) = scale · f16(q (group, headDim)) @ Kᵀ, key j at keys + j · stride. The
    /// queries are rounded to f16 first, as llama.cpp does for its product with the f16 cache.
    public static func scores(query q: UnsafePointer<Float>, group: Int, headDim: Int, keys: UnsafePointer<Float>,
                              stride: Int, length: Int, scale: Float, into scores: UnsafeMutablePointer<Float>) {
        loom_attention_scores(q, Int64(group), Int64(headDim), keys, Int64(stride), Int64(length), scale, scores)
    }

    /// out (group, headDim) = p (group, length) @ V, value j at values + j · stride; p is rounded to f16
    /// in place first, as llama.cpp rounds its probabilities for the product with the f16 cache.
    public static func mix(probabilities p: UnsafeMutablePointer<Float>, group: Int, length: Int, values: UnsafePointer<Float>,
                           stride: Int, headDim: Int, into out: UnsafeMutablePointer<Float>) {
        loom_attention_mix(p, Int64(group), Int64(length), values, Int64(stride), Int64(headDim), out)
    }
}
