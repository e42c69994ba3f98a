// Loom's quantized CPU kernels in C: ggml block formats, dequantization, activation quantization and
// quantized dot products (AVX2/FMA/F16C when the CPU has them, portable scalar code otherwise).
// Type numbers are ggml's `enum ggml_type` (GGMLType in Swift). Counts are in elements and must be
// multiples of the type's block size.
#ifndef LOOM_CKERNELS_H
#define LOOM_CKERNELS_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/// 1 if `type` can be dequantized by loom_dequantize.
int loom_can_dequantize(uint32_t type);

/// dst (count,) = the `count` elements at src, of type `type`, as f32. Returns 0, or -1 for an
/// unsupported type (dst untouched).
int loom_dequantize(uint32_t type, const void *src, float *dst, int64_t count);

/// The activation type whose blocks pair with `type` in quantized dot products: 8 (q8_0) for
/// q4_0/q5_0/q8_0, 9 (q8_1) for q4_1/q5_1, 15 (q8_K) for the K-quants, 0 (f32) for f32/f16/bf16;
/// UINT32_MAX if matVec does not support `type`.
uint32_t loom_vec_dot_type(uint32_t type);

/// Bytes that `count` activations take in `vec_type` (count a multiple of its block size).
size_t loom_activation_bytes(uint32_t vec_type, int64_t count);

/// dst = x (count,) quantized to `vec_type` (8, 9 or 15); for 0 (f32) a plain copy.
void loom_quantize_activations(uint32_t vec_type, const float *x, void *dst, int64_t count);

/// y[r] = (row r of W) · x for r in [row_begin, row_end). W rows are `row_bytes` apart, each `cols`
/// elements of `type`; xq holds x (cols,) in loom_vec_dot_type(type). Returns 0, or -1 if unsupported.
int loom_matvec_rows(uint32_t type, const void *w, size_t row_bytes, int64_t cols, const void *xq,
                     float *y, int64_t row_begin, int64_t row_end);

/// 1 if matMul should use loom_matmul_rows for `type`: q4_K, q5_K, q6_K on AVX2 CPUs while the int8
/// product is switched on; otherwise the caller dequantizes and uses sgemm (faster for the legacy
/// quants, though loom_matmul_rows has multi-token kernels for q4_0, q5_0 and q8_0 too).
int loom_matmul_supported(uint32_t type);

/// 1 if the int8 matrix product is switched on (the default); loom_matmul_supported is 0 while it is off.
int loom_int8_matmul_enabled(void);

/// Switches the int8 matrix product off (0) or on (1); for benchmarks and tests.
void loom_set_int8_matmul(int enabled);

/// Rows [row_begin, row_end) of x (rows, ldx) f32, `cols` each, quantized to `vec_type` into dst,
/// row r at dst + r * dst_row_bytes (dst_row_bytes >= loom_activation_bytes(vec_type, cols)).
void loom_quantize_activation_rows(uint32_t vec_type, const float *x, int64_t ldx, void *dst, size_t dst_row_bytes,
                                   int64_t cols, int64_t row_begin, int64_t row_end);

/// W (rows, cols) @ X (n, cols)^T for W rows [row_begin, row_end) -> y (n, ldy): y[t * ldy + r] = (row r
/// of W) · (row t of X). W rows are `row_bytes` apart in `type`; X is quantized to
/// loom_vec_dot_type(type), row t at xq + t * xq_row_bytes. Each y[t * ldy + r] equals what
/// loom_matvec_rows computes for token t alone. Returns 0, or -1 if unsupported.
int loom_matmul_rows(uint32_t type, const void *w, size_t row_bytes, int64_t cols, const void *xq,
                     size_t xq_row_bytes, int64_t n, float *y, int64_t ldy, int64_t row_begin, int64_t row_end);

/// Bytes of the 8-row panels of a q4_K matrix W (rows, cols), or 0 if rows is not a multiple of 8
/// or cols not of 256 (such a matrix is not repacked).
size_t loom_q4k_panel_bytes(int64_t rows, int64_t cols);

/// Repacks panels [panel_begin, panel_end) (rows 8p ..< 8p + 8 each) of the q4_K matrix W (rows, cols)
/// at w (rows contiguous) into dst, which holds loom_q4k_panel_bytes(rows, cols) bytes.
void loom_q4k_repack(const void *w, int64_t cols, void *dst, int64_t panel_begin, int64_t panel_end);

/// W (rows, cols) @ X (n, cols)^T for the rows of panels [panel_begin, panel_end) -> y (n, ldy):
/// y[t * ldy + r] = (row r of W) · (row t of X), W as repacked panels, X quantized to q8_K with row t at
/// xq + t * xq_row_bytes. n = 1 is the decode product.
void loom_q4k_panels_matmul(const void *panels, int64_t cols, const void *xq, size_t xq_row_bytes, int64_t n,
                            float *y, int64_t ldy, int64_t panel_begin, int64_t panel_end);

/// lanes[l] = Σ a[i]·b[i] (each step one fused multiply-add) over i ≡ l (mod 8), for the first
/// n / 8 · 8 elements. The same eight accumulators as a SIMD8 loop with addProduct, without its
/// per-lane fmaf calls when the Swift code is not compiled for FMA.
void loom_dot_f32_lanes(const float *a, const float *b, int64_t n, float lanes[8]);

/// Single-token attention scores of the `group` query heads q (group, hd) that share one KV head:
/// scores[g * length + j] = scale · f16(q_g) · k_j, key j at keys + j * stride, for j < length; the
/// queries are rounded to f16 as llama.cpp converts them for its product with the f16 cache.
void loom_attention_scores(const float *q, int64_t group, int64_t hd, const float *keys, int64_t stride,
                           int64_t length, float scale, float *scores);

/// out (group, hd): out_g = Σ_j p[g * length + j] · v_j, value j at values + j * stride, for j < length.
/// p is first rounded to f16 in place, as llama.cpp converts its probabilities for the product with V.
void loom_attention_mix(float *p, int64_t group, int64_t length, const float *values, int64_t stride,
                        int64_t hd, float *out);

/// 1 if the AVX2/FMA/F16C kernels are in use.
int loom_simd_enabled(void);

/// Turns the SIMD kernels off (0) or back on (1, only if the CPU has them); for tests and benchmarks.
void loom_set_simd(int enabled);

/// A hint to the CPU inside spin-wait loops.
void loom_cpu_relax(void);

/// Converts IEEE half to float (exact).
float loom_fp16_to_fp32(uint16_t h);

/// Converts float to IEEE half, rounding to nearest even.
uint16_t loom_fp32_to_fp16(float f);

#ifdef __cplusplus
}
#endif

#endif
