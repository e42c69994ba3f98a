import Foundation
import Kernels

/// Causal scaled-dot-product attention with grouped-query heads over the KV cache.
///
/// Mirrors llama.cpp `build_attn_mha` without flash attention: `softmax(q·Kᵀ/√hd + causal mask)·V`,
/// query head h reading KV head `h / (H / H_kv)`. The cache must already hold the keys and values
/// of positions `0 ..< start + n` for `layer`. Every unit of work (a head of a batch, or a KV head
/// and its query heads in a single step) is computed by the same sequential code whatever the
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

        /// Query rows per causal block of `batch`.
        static let causalBlock = 64

        /// Many tokens: per head and block of up to 64 query rows two single-threaded f32 products over
        /// the keys those rows can see (the causal mask's blocks of zeros are never computed); heads
        /// shared among the threads.
        /// S (b, L) = q_h (b, hd) @ K_h (L, hd)ᵀ · scale, causal mask, row softmax, out_h (b, hd) = S @ V_h (L, hd),
        /// with L = start + the block's last row + 1.
        func batch(query q: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, tokens n: Int, start: Int,
                   pool: ThreadPool) {
            let qDim = heads * headDim, blockRows = min(n, Self.causalBlock)
            pool.parallelFor(heads) { range in
                let scores = UnsafeMutablePointer<Float>.allocate(capacity: blockRows * (start + n))
                defer { scores.deallocate() }
                for h in range {
                    let kvOffset = (h / group) * headDim
                    var first = 0
                    while first < n {
                        let rows = min(blockRows, n - first), length = start + first + rows
                        F32MatMul.timesTransposed(m: rows, n: length, k: headDim, alpha: scale,
                                                  a: q + first * qDim + h * headDim, lda: qDim,
                                                  b: keys + kvOffset, ldb: kvDim, c: scores, ldc: length)
                        for i in 0 ..< rows {
                            let row = scores + i * length, visible = start + first + i + 1
                            softmax(row, visible)
                            (row + visible).initialize(repeating: 0, count: length - visible)
                        }
                        F32MatMul.times(m: rows, n: headDim, k: length, a: scores, lda: length,
                                        b: values + kvOffset, ldb: kvDim, c: out + first * qDim + h * headDim, ldc: qDim)
                        first += rows
                    }
                }
            }
        }

        /// One token at `position`: per KV head, the `group` query heads that read it computed together
        /// (`DecodeAttention`), so each cached key and value row is read once per KV head rather than
        /// once per query head; KV heads shared among the threads.
        /// S (group, L) = q_g (group, hd) @ K_g (L, hd)ᵀ · scale, row softmax, out_g (group, hd) = S @ V_g (L, hd).
        func single(query q: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, position: Int,
                    pool: ThreadPool) {
            let length = position + 1, kvHeads = heads / group
            pool.parallelFor(kvHeads) { range in
                let scores = UnsafeMutablePointer<Float>.allocate(capacity: group * length)
                defer { scores.deallocate() }
                for g in range {
                    let kvOffset = g * headDim, first = g * group * headDim
                    DecodeAttention.scores(query: q + first, group: group, headDim: headDim, keys: keys + kvOffset,
                                           stride: kvDim, length: length, scale: scale, into: scores)
                    for i in 0 ..< group { softmax(scores + i * length, length) }
                    DecodeAttention.mix(probabilities: scores, group: group, length: length, values: values + kvOffset,
                                        stride: kvDim, headDim: headDim, into: out + first)
                }
            }
        }
    }
}
