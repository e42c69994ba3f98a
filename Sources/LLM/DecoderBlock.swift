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
        project([(w.query, ws.query), (w.key, keys), (w.value, values)], ws.normed, tokens: n)
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
        project([(w.output, ws.normed)], ws.attention, tokens: n)
        add(ws.residual, ws.normed, ws.residual, n * d)

        // Feed-forward. m (n, d) = rmsnorm(x) · ffn_norm
        Ops.rmsNormRows(ws.residual, weight: w.feedForwardNorm.data, rows: n, width: d,
                    epsilon: c.rmsNormEpsilon, into: ws.normed, pool: pool)
        // gate, up (n, ff); gate = silu(gate) ⊙ up
        project([(w.gate, ws.gate), (w.up, ws.up)], ws.normed, tokens: n)
        Ops.swiGLU(gate: ws.gate, up: ws.up, count: n * ff, pool: pool)
        // x += gate @ Wdownᵀ  (n, d)
        project([(w.down, ws.normed)], ws.gate, tokens: n)
        add(ws.residual, ws.normed, ws.residual, n * d)
    }
}

extension DecoderBlock {
    /// y_i (n, W_i.rows) = x (n, W_i.columns) @ W_iᵀ for each (W_i, y_i).
    ///
    /// Products with int8 kernels (repacked q4_K panels, or `Kernels.hasInt8MatMul` when n > 1) that
    /// pair with the first one's activation type share one quantization of x (the values matVec would
    /// quantize) and run first; the others go through `Projection.apply` afterwards (it quantizes x
    /// into the same scratch memory itself).
    func project(_ products: [(WeightMatrix, UnsafeMutablePointer<Float>)], _ x: UnsafePointer<Float>, tokens n: Int) {
        var rest = products
        if Kernels.int8MatMulEnabled {
            let int8 = products.filter { $0.0.panels != nil || (n > 1 && Kernels.hasInt8MatMul($0.0.type)) }
            if let (first, _) = int8.first {
                let activations = QuantizedActivations(for: first.type, x: x, n: n, cols: first.columns, pool: pool)
                rest = products.filter { w, _ in !int8.contains { $0.0.data == w.data } || !activations.fits(w.type, cols: w.columns) }
                for (w, y) in int8 where activations.fits(w.type, cols: w.columns) {
                    if let panels = w.panels {
                        panelMatMul(panels, activations: activations, y: y, ldy: w.rows, pool: pool)
                    } else {
                        int8MatMul(w.type, weights: w.data, rows: w.rows, cols: w.columns, activations: activations,
                                   y: y, ldy: w.rows, pool: pool)
                    }
                }
            }
        }
        for (w, y) in rest { Projection.apply(w, x, rows: n, into: y, pool: pool) }
    }
}

/// Rounds `count` floats to the nearest f16 value in place.
private func roundToHalf(_ x: UnsafeMutablePointer<Float>, _ count: Int) {
    for i in 0..<count { x[i] = Float(Float16(x[i])) }
}
