import COpenBLAS
import Foundation
import Kernels

/// Causal scaled-dot-product attention with grouped-query heads over the KV cache.
///
/// Mirrors llama.cpp `build_attn_mha` without flash attention: `softmax(q·Kᵀ/√hd + causal mask)·V`,
/// query head h reading KV head `h / (H / H_kv)`. The cache must already hold the keys and values
/// of positions `0 ..< start + n` for `layer`. Every unit of work (a head of a batch, or a
/// (token, head) pair of a single step) is computed by the same sequential code whatever the
/// thread count, so results are identical for any number of threads.
enum Attention {
    /// out (n, H·hd) = attention of queries q (n, H·hd) at positions `start ..< start + n`.
    static func run(query q: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
                    tokens n: Int, start: Int, layer: Int, cache: KVCache,
                    configuration c: ModelConfiguration, pool: ThreadPool) {
        let shape = Shape(configuration: c, keys: cache.keys(layer: layer, position: 0),
                          values: cache.values(layer: layer, position: 0))
        if n == 1 {
            shape.single(query: q, into: out, position: start, pool: pool)
        } else {
            shape.batch(query: q, into: out, tokens: n, start: start, pool: pool)
        }
    }

    /// Sizes and cache rows of one layer's attention.
    private struct Shape {
        let heads: Int, headDim: Int, kvDim: Int, group: Int
        let scale: Float
        /// K and V of the layer, (capacity, kvDim) each.
        let keys: UnsafePointer<Float>, values: UnsafePointer<Float>

        init(configuration c: ModelConfiguration, keys: UnsafePointer<Float>, values: UnsafePointer<Float>) {
            heads = c.headCount
            headDim = c.headDimension
            kvDim = c.kvDimension
            group = c.headCount / c.headCountKV
            scale = 1 / Float(c.headDimension).squareRoot()
            self.keys = keys
            self.values = values
        }

        /// Many tokens: per head two single-threaded sgemm calls, heads shared among the threads.
        /// S (n, L) = q_h (n, hd) @ K_h (L, hd)ᵀ · scale, causal mask, row softmax, out_h (n, hd) = S @ V_h (L, hd).
        func batch(query q: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, tokens n: Int, start: Int,
                   pool: ThreadPool) {
            let length = start + n, qDim = heads * headDim
            pool.parallelFor(heads) { range in
                let scores = UnsafeMutablePointer<Float>.allocate(capacity: n * length)
                defer { scores.deallocate() }
                for h in range {
                    let kvOffset = (h / group) * headDim
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blasint(n), blasint(length), blasint(headDim),
                                scale, q + h * headDim, blasint(qDim), keys + kvOffset, blasint(kvDim),
                                0, scores, blasint(length))
                    for i in 0 ..< n {
                        let row = scores + i * length, visible = start + i + 1
                        softmax(row, visible)
                        (row + visible).initialize(repeating: 0, count: length - visible)
                    }
                    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(n), blasint(headDim), blasint(length),
                                1, scores, blasint(length), values + kvOffset, blasint(kvDim),
                                0, out + h * headDim, blasint(qDim))
                }
            }
        }

        /// One token at `position`: heads shared among the threads, dot products against every cached key.
        func single(query q: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, position: Int,
                    pool: ThreadPool) {
            let length = position + 1
            pool.parallelFor(heads) { range in
                let scores = UnsafeMutablePointer<Float>.allocate(capacity: length)
                defer { scores.deallocate() }
                for h in range {
                    let kvOffset = (h / group) * headDim
                    let qh = q + h * headDim, oh = out + h * headDim
                    for j in 0 ..< length {
                        scores[j] = dot(qh, keys + j * kvDim + kvOffset, headDim) * scale
                    }
                    softmax(scores, length)
                    oh.initialize(repeating: 0, count: headDim)
                    for j in 0 ..< length {
                        Ops.axpy(scores[j], values + j * kvDim + kvOffset, into: oh, count: headDim)
                    }
                }
            }
        }
    }
}
