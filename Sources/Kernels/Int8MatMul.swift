import CKernels
import GGUF

/// Activations X (n, cols) quantized once, row by row, to the block type a weight type's integer
/// dot products pair with (q8_0 or q8_K), in the caller's scratch memory of the pool.
///
/// Valid until the next `QuantizedActivations` built on the same pool (it lives in the pool's extra
/// scratch slot). Several products with the same input and the same activation type (Q/K/V,
/// gate/up) can share one.
public struct QuantizedActivations {
    /// The activation block type (`loom_vec_dot_type` of the weights).
    public let type: UInt32
    /// Bytes between token rows.
    public let rowBytes: Int
    /// Number of token rows.
    public let n: Int
    /// Row length in elements.
    public let cols: Int
    /// The quantized rows, (n, rowBytes).
    public let data: UnsafeRawPointer

    /// Quantizes x (n, cols) for products with weights of `weightType`, the rows shared among the pool's threads.
    public init(for weightType: GGMLType, x: UnsafePointer<Float>, n: Int, cols: Int, pool: ThreadPool) {
        let vecType = loom_vec_dot_type(weightType.rawValue)
        precondition(vecType != UInt32.max && vecType != GGMLType.f32.rawValue, "no quantized activations for \(weightType)")
        precondition(cols % weightType.blockSize == 0 && cols % 32 == 0, "cols \(cols) does not fit \(weightType) blocks")
        let rowBytes = loom_activation_bytes(vecType, Int64(cols))
        let buffer = pool.scratch(thread: pool.threadCount, bytes: n * rowBytes)
        pool.parallelFor(n) { range in
            loom_quantize_activation_rows(vecType, x, Int64(cols), buffer, rowBytes, Int64(cols),
                                          Int64(range.lowerBound), Int64(range.upperBound))
        }
        self.type = vecType
        self.rowBytes = rowBytes
        self.n = n
        self.cols = cols
        data = UnsafeRawPointer(buffer)
    }

    /// Whether these activations can multiply weights of `weightType` with `cols` columns.
    public func fits(_ weightType: GGMLType, cols: Int) -> Bool {
        loom_vec_dot_type(weightType.rawValue) == type && cols == self.cols
    }
}

extension Kernels {
    /// Whether `matMul` multiplies `type` with int8 kernels (q4_K, q5_K, q6_K on AVX2 CPUs; the legacy
    /// quants have kernels in `int8MatMul` too, but sgemm on dequantized tiles is faster for them).
    public static func hasInt8MatMul(_ type: GGMLType) -> Bool {
        loom_matmul_supported(type.rawValue) != 0
    }

    /// Whether `matMul` uses the int8 kernels where they exist (the default).
    public static var int8MatMulEnabled: Bool { loom_int8_matmul_enabled() != 0 }

    /// Turns the int8 prefill kernels off (`matMul` then dequantizes and calls sgemm for every
    /// type) or back on; for benchmarks and tests.
    public static func setInt8MatMul(_ enabled: Bool) { loom_set_int8_matmul(enabled ? 1 : 0) }
}

/// W (rows, cols) @ Xq (n, cols)^T -> y (n, ldy): y[t·ldy + r] = (row r of W) · (token t), the int8 prefill path.
///
/// For q4_0, q5_0, q8_0, q4_K, q5_K and q6_K with AVX2 four tokens share each pass over a weight
/// row; other quantized types fall back to one-token dot products.
/// W rows are in their GGUF blocks (`type.rowBytes(cols)` bytes each); each thread takes contiguous
/// rows and runs all tokens on them, four tokens per pass over a weight row. Every element equals
/// matVec's result for that token alone, so results depend neither on the thread count nor on n.
public func int8MatMul(_ type: GGMLType, weights: UnsafeRawPointer, rows: Int, cols: Int,
                       activations a: QuantizedActivations, y: UnsafeMutablePointer<Float>, ldy: Int,
                       pool: ThreadPool) {
    precondition(a.fits(type, cols: cols), "activations do not fit \(type) (\(rows), \(cols))")
    let rowBytes = type.rowBytes(cols)
    pool.parallelFor(rows) { range in
        _ = loom_matmul_rows(type.rawValue, weights, rowBytes, Int64(cols), a.data, a.rowBytes, Int64(a.n),
                             y, Int64(ldy), Int64(range.lowerBound), Int64(range.upperBound))
    }
}
