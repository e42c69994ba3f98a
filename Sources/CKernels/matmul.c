// The row/token loops of the int8 matrix product (prefill): weights in their GGUF blocks, several
// tokens' activations quantized once (q8_0 or q8_K), multi-token dot products from matmul_avx2.c.
#include "blocks.h"
#include "matmul.h"

static int int8_enabled = 1;

int loom_int8_matmul_enabled(void) { return __atomic_load_n(&int8_enabled, __ATOMIC_RELAXED); }

void loom_set_int8_matmul(int enabled) { __atomic_store_n(&int8_enabled, enabled != 0, __ATOMIC_RELAXED); }

int loom_matmul_supported(uint32_t type) {
    // Legacy quants (q4_0, q5_0, q8_0) have multi-token kernels too, but dequantized tiles + sgemm
    // measured faster for them (1 thread, 512 tokens: q5_0 4864x896 59.6 vs 33.2 GFLOP/s, q8_0
    // 896x896 65.1 vs 44.1), so matMul keeps sgemm there.
    const int k_quant = type == T_Q4_K || type == T_Q5_K || type == T_Q6_K;
    return k_quant && loom_int8_matmul_enabled() && loom_simd_enabled() && loom_dot4_avx2(type) != NULL;
}

void loom_quantize_activation_rows(uint32_t vec_type, const float *x, int64_t ldx, void *dst, size_t dst_row_bytes,
                                   int64_t cols, int64_t row_begin, int64_t row_end) {
    for (int64_t r = row_begin; r < row_end; r++) {
        loom_quantize_activations(vec_type, x + r * ldx, (char *)dst + (size_t)r * dst_row_bytes, cols);
    }
}

/// Weight bytes of one row block: the rows a thread multiplies with one tile of tokens before it
/// moves to the next tile (kept in L2 while the tile's activations stay in L1).
#define ROW_BLOCK_BYTES (96 * 1024)

int loom_matmul_rows(uint32_t type, const void *w, size_t row_bytes, int64_t cols, const void *xq,
                     size_t xq_row_bytes, int64_t n, float *y, int64_t ldy, int64_t row_begin, int64_t row_end) {
    const uint32_t vt = loom_vec_dot_type(type);
    if (vt == UINT32_MAX || vt == T_F32) return -1;
    const loom_dot4_fn dot4 = loom_simd_enabled() ? loom_dot4_avx2(type) : NULL;
    const loom_dot_fn dot = loom_simd_enabled() ? loom_dot_avx2(type) : NULL;
    const char *rows = w, *acts = xq;
    int64_t block = (int64_t)(ROW_BLOCK_BYTES / (row_bytes ? row_bytes : 1));
    if (block < 1) block = 1;
    for (int64_t r0 = row_begin; r0 < row_end; r0 += block) {
        const int64_t r1 = r0 + block < row_end ? r0 + block : row_end;
        int64_t t = 0;
        if (dot4) {
            for (; t + NT <= n; t += NT) {
                const void *vy[NT];
                for (int k = 0; k < NT; k++) vy[k] = acts + (size_t)(t + k) * xq_row_bytes;
                for (int64_t r = r0; r < r1; r++) {
                    float out[NT];
                    dot4(cols, rows + (size_t)r * row_bytes, vy, out);
                    for (int k = 0; k < NT; k++) y[(t + k) * ldy + r] = out[k];
                }
            }
        }
        for (; t < n; t++) {
            const void *vy = acts + (size_t)t * xq_row_bytes;
            for (int64_t r = r0; r < r1; r++) {
                const void *row = rows + (size_t)r * row_bytes;
                y[t * ldy + r] = dot ? dot(cols, row, vy) : loom_dot_scalar(type, cols, row, vy);
            }
        }
    }
    return 0;
}
