import CKernels
import COpenBLAS
import GGUF

/// X (n, cols) @ W^T -> Y (n, rows): the prefill path.
///
/// W (rows, cols) is cut into tiles of `matMulTileRows(cols:)` rows — a size that depends on `cols`
/// only, never on the thread count. Each tile is dequantized into its thread's scratch (tileRows, cols)
/// f32 buffer and multiplied by single-threaded `cblas_sgemm`:
/// Y[:, tile] (n, tileRows) = X (n, cols) @ tile^T. Tiles are shared among the pool's threads by a
/// static partition, so every element of Y comes from one fixed sgemm call and the result is the same
/// for any thread count. f32 weights skip the dequantization.
///
/// Types with int8 kernels (`Kernels.hasInt8MatMul`: q4_K, q5_K, q6_K on AVX2 CPUs)
/// take `int8MatMul` instead: X quantized once like matVec's x, and every element of Y bit-identical
/// to what matVec computes for that token alone.
public func matMul(_ type: GGMLType, weights: UnsafeRawPointer, rows: Int, cols: Int,
                   x: UnsafePointer<Float>, n: Int, y: UnsafeMutablePointer<Float>, pool: ThreadPool) {
    precondition(Kernels.supportsDequantize(type), "matMul does not support \(type)")
    guard n > 0, rows > 0 else { return }
    if Kernels.hasInt8MatMul(type) {
        let activations = QuantizedActivations(for: type, x: x, n: n, cols: cols, pool: pool)
        int8MatMul(type, weights: weights, rows: rows, cols: cols, activations: activations, y: y, ldy: rows, pool: pool)
        return
    }
    sgemmMatMul(type, weights: weights, rows: rows, cols: cols, x: x, n: n, y: y, pool: pool)
}

/// X (n, cols) @ W^T -> Y (n, rows) through dequantized tiles and sgemm, for every dequantizable type
/// (the path of types without int8 kernels; see `matMul`).
public func sgemmMatMul(_ type: GGMLType, weights: UnsafeRawPointer, rows: Int, cols: Int,
                        x: UnsafePointer<Float>, n: Int, y: UnsafeMutablePointer<Float>, pool: ThreadPool) {
    precondition(Kernels.supportsDequantize(type), "matMul does not support \(type)")
    guard n > 0, rows > 0 else { return }
    OpenBLASThreads.useOneThread()
    let tileRows = matMulTileRows(cols: cols)
    let tiles = (rows + tileRows - 1) / tileRows
    let rowBytes = type.rowBytes(cols)
    pool.parallelFor(tiles) { range, thread in
        for tile in range {
            let first = tile * tileRows
            let count = min(tileRows, rows - first)
            let w: UnsafePointer<Float>
            if type == .f32 {
                w = (weights + first * rowBytes).assumingMemoryBound(to: Float.self)
            } else {
                let buffer = pool.scratch(thread: thread, bytes: tileRows * cols * 4).assumingMemoryBound(to: Float.self)
                _ = loom_dequantize(type.rawValue, weights + first * rowBytes, buffer, Int64(count * cols))
                w = UnsafePointer(buffer)
            }
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blasint(n), blasint(count), blasint(cols),
                        1, x, blasint(cols), w, blasint(cols), 0, y + first, blasint(rows))
        }
    }
}

/// Rows per dequantized tile in `matMul`: about 2 MB of f32 (at least 16, a multiple of 16).
public func matMulTileRows(cols: Int) -> Int {
    max(16, (2 << 20) / (max(cols, 1) * 4) / 16 * 16)
}

/// Makes OpenBLAS single-threaded once, before the first tiled sgemm (the pool provides the threads).
enum OpenBLASThreads {
    private static let once: Void = { openblas_set_num_threads(1) }()

    static func useOneThread() { once }
}
