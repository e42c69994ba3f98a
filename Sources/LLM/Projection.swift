import GGUF
import Kernels

/// Multiplies activations by a quantized weight matrix, choosing the kernel by batch size.
///
/// One row (decode) goes through `matVec` (quantized SIMD dot products); several rows (prefill)
/// through `matMul` (dequantized weight tiles and sgemm). The two paths round differently, so the
/// choice is a pure function of the batch size and nothing else.
enum Projection {
    /// The storage types the kernels can multiply with.
    static func supports(_ type: GGMLType) -> Bool {
        Kernels.supportsMatMul(type)
    }

    /// y (n, W.rows) = x (n, W.columns) @ Wᵀ.
    static func apply(_ w: WeightMatrix, _ x: UnsafePointer<Float>, rows n: Int,
                      into y: UnsafeMutablePointer<Float>, pool: ThreadPool) {
        if n == 1 {
            matVec(w.type, weights: w.data, rows: w.rows, cols: w.columns, x: x, y: y, pool: pool)
        } else {
            matMul(w.type, weights: w.data, rows: w.rows, cols: w.columns, x: x, n: n, y: y, pool: pool)
        }
    }

    /// out (columns,) = row `index` of W, dequantized (the embedding lookup).
    static func row(_ w: WeightMatrix, _ index: Int, into out: UnsafeMutablePointer<Float>) {
        dequantize(w.type, w.data + index * w.rowBytes, out, w.columns)
    }
}
