import Kernels

/// Row-wise f32 operations of the forward pass, built on the `Kernels` helpers.
///
/// Each works row by row on the calling thread in a fixed order, so results never depend on how
/// other work is split across threads.
enum Ops {
    /// out (n, d) = rmsnorm(x (n, d)) · weight (d,), per row.
    static func rmsNormRows(_ x: UnsafePointer<Float>, weight: UnsafePointer<Float>, rows: Int, width d: Int,
                        epsilon: Float, into out: UnsafeMutablePointer<Float>) {
        for r in 0 ..< rows { rmsNorm(x + r * d, weight, out + r * d, d, epsilon) }
    }

    /// x (n, d) += bias (d,) on every row.
    static func addBias(_ x: UnsafeMutablePointer<Float>, bias: UnsafePointer<Float>, rows: Int, width d: Int) {
        for r in 0 ..< rows { add(x + r * d, bias, x + r * d, d) }
    }

    /// gate (count,) = silu(gate) ⊙ up (count,), the SwiGLU activation.
    static func swiGLU(gate: UnsafeMutablePointer<Float>, up: UnsafePointer<Float>, count: Int) {
        silu(gate, count)
        mul(gate, up, gate, count)
    }

    /// Rotates the `heads` heads (headDim,) of each of `rows` rows of x (n, heads·headDim), row r
    /// at position `start + r`.
    static func ropeRows(_ x: UnsafeMutablePointer<Float>, style: RopeStyle, rows: Int, heads: Int, headDim: Int,
                     start: Int, base: Float) {
        for r in 0 ..< rows {
            let row = x + r * heads * headDim
            switch style {
            case .normal: ropeNormal(row, heads: heads, headDim: headDim, position: start + r, base: base)
            case .neox: ropeNeox(row, heads: heads, headDim: headDim, position: start + r, base: base)
            }
        }
    }

    /// y (n,) += a · x (n,).
    @inline(__always)
    static func axpy(_ a: Float, _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count n: Int) {
        for i in 0 ..< n { y[i] += a * x[i] }
    }
}
