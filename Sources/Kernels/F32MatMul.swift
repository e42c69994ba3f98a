import COpenBLAS

/// f32 matrix products on the calling thread (OpenBLAS sgemm), for callers that share their own
/// work among the pool's threads, such as attention (one head per call).
///
/// Attention's products stay in f32: their operands (queries, the f16-valued KV cache, softmax
/// probabilities) are not quantized, and OpenBLAS's f32 kernels are what runs them fastest here.
public enum F32MatMul {
    /// C (m, n) = alpha · A (m, k) @ B (n, k)ᵀ. Rows of A, B and C are lda, ldb and ldc floats apart.
    public static func timesTransposed(m: Int, n: Int, k: Int, alpha: Float,
                                       a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                       c: UnsafeMutablePointer<Float>, ldc: Int) {
        OpenBLASThreads.useOneThread()
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, blasint(m), blasint(n), blasint(k),
                    alpha, a, blasint(lda), b, blasint(ldb), 0, c, blasint(ldc))
    }

    /// C (m, n) = A (m, k) @ B (k, n). Rows of A, B and C are lda, ldb and ldc floats apart.
    public static func times(m: Int, n: Int, k: Int,
                             a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                             c: UnsafeMutablePointer<Float>, ldc: Int) {
        OpenBLASThreads.useOneThread()
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, blasint(m), blasint(n), blasint(k),
                    1, a, blasint(lda), b, blasint(ldb), 0, c, blasint(ldc))
    }
}
