import Kernels

/// One pre-norm decoder block: RMS norm → Q/K/V (+ bias) → RoPE → causal GQA attention → output
/// projection → residual; RMS norm → SwiGLU feed-forward → residual.
///
/// Mirrors the per-layer loop of llama.cpp `llm_build_llama` and `llm_build_qwen2`, which differ
/// only in the biases and the RoPE layout (`Llama`, `Qwen2`). Buffer shapes for a batch of n tokens
/// at positions `start ..< start + n`: x (n, d) is the residual stream, updated in place; K and V
/// (n, kvDim) are projected straight into the cache rows of those positions.
struct DecoderBlock {
    let configuration: ModelConfiguration
    let ropeStyle: RopeStyle
    let cache: KVCache
    let workspace: Workspace
    let pool: ThreadPool

    /// Runs block `layer` on the batch held in `workspace.residual`.
    func run(layer: Int, weights w: BlockWeights, tokens n: Int, start: Int) {
        let c = configuration, ws = workspace
        let d = c.embeddingLength, qDim = c.headCount * c.headDimension, kvDim = c.kvDimension
        let ff = c.feedForwardLength
        let keys = cache.keys(layer: layer, position: start)
        let values = cache.values(layer: layer, position: start)

        // Attention. n (n, d) = rmsnorm(x) · attn_norm
        Ops.rmsNormRows(ws.residual, weight: w.attentionNorm.data, rows: n, width: d,
                    epsilon: c.rmsNormEpsilon, into: ws.normed, pool: pool)
        // q (n, qDim), k (n, kvDim), v (n, kvDim)
        Projection.apply(w.query, ws.normed, rows: n, into: ws.query, pool: pool)
        Projection.apply(w.key, ws.normed, rows: n, into: keys, pool: pool)
        Projection.apply(w.value, ws.normed, rows: n, into: values, pool: pool)
        if let bias = w.queryBias { Ops.addBias(ws.query, bias: bias.data, rows: n, width: qDim) }
        if let bias = w.keyBias { Ops.addBias(keys, bias: bias.data, rows: n, width: kvDim) }
        if let bias = w.valueBias { Ops.addBias(values, bias: bias.data, rows: n, width: kvDim) }
        Ops.ropeRows(ws.query, style: ropeStyle, rows: n, heads: c.headCount, headDim: c.headDimension,
                 start: start, base: c.ropeFrequencyBase, pool: pool)
        Ops.ropeRows(keys, style: ropeStyle, rows: n, heads: c.headCountKV, headDim: c.headDimension,
                 start: start, base: c.ropeFrequencyBase, pool: pool)
        // The cache holds f16 values, as llama.cpp's does (kept in f32 slots).
        roundToHalf(keys, n * kvDim)
        roundToHalf(values, n * kvDim)
        // attention (n, qDim)
        Attention.run(query: ws.query, into: ws.attention, tokens: n, start: start, layer: layer,
                      cache: cache, configuration: c, pool: pool)
        // x += attention @ Woᵀ  (n, d)
        Projection.apply(w.output, ws.attention, rows: n, into: ws.normed, pool: pool)
        add(ws.residual, ws.normed, ws.residual, n * d)

        // Feed-forward. m (n, d) = rmsnorm(x) · ffn_norm
        Ops.rmsNormRows(ws.residual, weight: w.feedForwardNorm.data, rows: n, width: d,
                    epsilon: c.rmsNormEpsilon, into: ws.normed, pool: pool)
        // gate, up (n, ff); gate = silu(gate) ⊙ up
        Projection.apply(w.gate, ws.normed, rows: n, into: ws.gate, pool: pool)
        Projection.apply(w.up, ws.normed, rows: n, into: ws.up, pool: pool)
        Ops.swiGLU(gate: ws.gate, up: ws.up, count: n * ff, pool: pool)
        // x += gate @ Wdownᵀ  (n, d)
        Projection.apply(w.down, ws.gate, rows: n, into: ws.normed, pool: pool)
        add(ws.residual, ws.normed, ws.residual, n * d)
    }
}

/// Rounds `count` floats to the nearest f16 value in place.
private func roundToHalf(_ x: UnsafeMutablePointer<Float>, _ count: Int) {
    for i in 0..<count { x[i] = Float(Float16(x[i])) }
}
