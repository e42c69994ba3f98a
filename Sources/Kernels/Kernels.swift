import CKernels
import COpenBLAS
import GGUF

/// Loom's CPU kernels: quant formats, quantized matrix-vector products, tiled sgemm, f32 helpers.
///
/// The quantized inner loops are C (`CKernels`) with AVX2/FMA/F16C variants chosen at run time and
/// portable fallbacks. The free functions `dequantize`, `matVec` and `matMul` are the entry points.
public enum Kernels {
    /// Whether `dequantize` handles `type`.
    public static func supportsDequantize(_ type: GGMLType) -> Bool {
        loom_can_dequantize(type.rawValue) != 0
    }

    /// Whether `matVec` handles `type` (quantized dot products).
    public static func supportsMatVec(_ type: GGMLType) -> Bool {
        loom_vec_dot_type(type.rawValue) != UInt32.max
    }

    /// Whether `matMul` handles `type` (it dequantizes, so every dequantizable type but q8_1/q8_K).
    public static func supportsMatMul(_ type: GGMLType) -> Bool {
        supportsMatVec(type)
    }

    /// Whether the AVX2/FMA/F16C kernels are in use (false on other CPUs).
    public static var simdEnabled: Bool { loom_simd_enabled() != 0 }

    /// Turns the SIMD kernels off or back on (only if the CPU has them); for tests and benchmarks.
    public static func setSIMD(_ enabled: Bool) { loom_set_simd(enabled ? 1 : 0) }

    /// Sets the number of threads OpenBLAS uses inside one `cblas_sgemm` call.
    ///
    /// `matMul` runs its tiles on the `ThreadPool` and wants OpenBLAS single-threaded (the default
    /// Loom sets on first use); set more only for sgemm calls made outside the pool.
    public static func setOpenBLASThreads(_ count: Int) {
        openblas_set_num_threads(Int32(max(1, count)))
    }

    /// The number of threads OpenBLAS currently uses.
    public static var openBLASThreads: Int { Int(openblas_get_num_threads()) }
}

/// IEEE half bits to Float, as the C kernels convert (exposed for tests).
func loomHalfToFloat(_ bits: UInt16) -> Float { loom_fp16_to_fp32(bits) }

/// Float to IEEE half bits, rounding to nearest even, as the C kernels convert (exposed for tests).
func loomFloatToHalf(_ value: Float) -> UInt16 { loom_fp32_to_fp16(value) }
