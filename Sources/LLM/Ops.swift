import Kernels

/// Row-wise f32 operations of the forward pass, built on the `Kernels` helpers.
///
/// Rows of a batch are shared among the pool's threads; each row is computed by the same
/// sequential code whatever the split, so results never depend on the thread count.
enum Ops {
    /// out (n, d) = rmsnorm(x (n, d)) · weight (d,), per row.
    static func rmsNormRows(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, rows: Int, width d: Int,
                            epsilon: Float, into out: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        pool.parallelFor(rows) { range in
            for r in range { rmsNorm(x + r * d, weight, out + r * d, d, epsilon) }
        }
    }

    /// x (n, d) += bias (d,) on every row.
    static func addBias(_ x: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, rows: Int, width d: Int) {
        for r in 0 ..< rows { add(x + r * d, bias, x + r * d, d) }
    }

    /// gate (count,) = silu(gate) ⊙ up (count,), the SwiGLU activation; elementwise, so any split
    /// of the elements gives the same result.
    static func swiGLU(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int, pool: ThreadPool) {
        pool.parallelFor(count) { range in
            let g = gate + range.lowerBound
            silu(g, range.count)
            mul(g, up + range.lowerBound, g, range.count)
        }
    }

    /// Rotates the `heads` heads (headDim,) of each of `rows` rows of x (n, heads·headDim), row r
    /// at position `start + r`.
    static func ropeRows(_ x: UnsafeMutablePointer<Float>, style: RopeStyle, rows: Int, heads: Int, headDim: Int,
                         start: Int, base: Float, pool: ThreadPool) {
        pool.parallelFor(rows) { range in
            for r in range {
                let row = x + r * heads * headDim
                switch style {
                case .normal: ropeNormal(row, heads: heads, headDim: headDim, position: start + r, base: base)
                case .neox: ropeNeox(row, heads: heads, headDim: headDim, position: start + r, base: base)
                }
            }
        }
    }
}
