import CKernels
import GGUF

/// W (rows, cols) @ x (cols,) -> y (rows,): the decode hot path.
///
/// W is row-major in its storage format, `type.rowBytes(cols)` bytes per row. x is quantized once
/// (q8_0 blocks for q4_0/q5_0/q8_0, q8_1 for q4_1/q5_1, q8_K for K-quants; f32 kept as is for
/// f32/f16/bf16 weights), then each thread computes a contiguous range of rows with integer SIMD dot
/// products per block. Each y[r] is computed by one thread in a fixed order, so the result does not
/// depend on the thread count.
public func matVec(_ type: GGMLType, weights: UnsafeRawPointer, rows: Int, cols: Int,
                   x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, pool: ThreadPool) {
    let vecType = loom_vec_dot_type(type.rawValue)
    precondition(vecType != UInt32.max, "matVec does not support \(type)")
    precondition(cols % type.blockSize == 0 && cols % 32 == 0 || vecType == 0, "cols \(cols) does not fit \(type) blocks")
    let xq: UnsafeRawPointer
    if vecType == GGMLType.f32.rawValue {
        xq = UnsafeRawPointer(x)
    } else {
        let buffer = pool.scratch(thread: pool.threadCount, bytes: loom_activation_bytes(vecType, Int64(cols)))
        loom_quantize_activations(vecType, x, buffer, Int64(cols))
        xq = UnsafeRawPointer(buffer)
    }
    let rowBytes = type.rowBytes(cols)
    pool.parallelFor(rows) { range in
        _ = loom_matvec_rows(type.rawValue, weights, rowBytes, Int64(cols), xq, y,
                             Int64(range.lowerBound), Int64(range.upperBound))
    }
}
