// Activation quantization, the portable dot products and the row loop of matVec.
#include <math.h>
#include "blocks.h"
#include "matmul.h"

static int simd_state = -1; // -1: not decided yet; 0: scalar; 1: AVX2/FMA/F16C

int loom_simd_enabled(void) {
    int s = __atomic_load_n(&simd_state, __ATOMIC_RELAXED);
    if (s < 0) {
        s = loom_cpu_has_avx2();
        __atomic_store_n(&simd_state, s, __ATOMIC_RELAXED);
    }
    return s;
}

void loom_set_simd(int enabled) {
    __atomic_store_n(&simd_state, enabled && loom_cpu_has_avx2(), __ATOMIC_RELAXED);
}

void loom_cpu_relax(void) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#elif defined(__aarch64__)
    __asm__ __volatile__("yield");
#endif
}

uint32_t loom_vec_dot_type(uint32_t type) {
    switch (type) {
    case T_F32: case T_F16: case T_BF16: return T_F32;
    case T_Q4_0: case T_Q5_0: case T_Q8_0: return T_Q8_0;
    case T_Q4_1: case T_Q5_1: return T_Q8_1;
    case T_Q2_K: case T_Q3_K: case T_Q4_K: case T_Q5_K: case T_Q6_K: return T_Q8_K;
    default: return UINT32_MAX;
    }
}

/// Bytes of `count` elements of a supported type (count a multiple of the block size).
static size_t type_bytes(uint32_t type, int64_t count) {
    switch (type) {
    case T_F32: return (size_t)count * 4;
    case T_F16: case T_BF16: return (size_t)count * 2;
    case T_Q4_0: return (size_t)(count / QK) * sizeof(block_q4_0);
    case T_Q4_1: return (size_t)(count / QK) * sizeof(block_q4_1);
    case T_Q5_0: return (size_t)(count / QK) * sizeof(block_q5_0);
    case T_Q5_1: return (size_t)(count / QK) * sizeof(block_q5_1);
    case T_Q8_0: return (size_t)(count / QK) * sizeof(block_q8_0);
    case T_Q8_1: return (size_t)(count / QK) * sizeof(block_q8_1);
    case T_Q2_K: return (size_t)(count / QK_K) * sizeof(block_q2_K);
    case T_Q3_K: return (size_t)(count / QK_K) * sizeof(block_q3_K);
    case T_Q4_K: return (size_t)(count / QK_K) * sizeof(block_q4_K);
    case T_Q5_K: return (size_t)(count / QK_K) * sizeof(block_q5_K);
    case T_Q6_K: return (size_t)(count / QK_K) * sizeof(block_q6_K);
    case T_Q8_K: return (size_t)(count / QK_K) * sizeof(block_q8_K);
    default: return 0;
    }
}

size_t loom_activation_bytes(uint32_t vec_type, int64_t count) { return type_bytes(vec_type, count); }

/// The largest |x| of n values.
static float absmax(const float *x, int n) {
    float amax = 0;
    for (int j = 0; j < n; j++) amax = fmaxf(amax, fabsf(x[j]));
    return amax;
}

/// q (n,) = round(x * id), with id = 127 / max|x| (0 for an all-zero block); returns d = 1 / id.
static float quantize_block(const float *x, int8_t *q, int n) {
    const float amax = absmax(x, n);
    const float d = amax / 127.0f, id = d != 0 ? 1.0f / d : 0.0f;
    for (int j = 0; j < n; j++) q[j] = (int8_t)lrintf(x[j] * id);
    return d;
}

void loom_quantize_activations(uint32_t vec_type, const float *x, void *dst, int64_t count) {
    if (loom_quantize_avx2(vec_type, x, dst, count) == 0) return;
    switch (vec_type) {
    case T_Q8_0: {
        block_q8_0 *y = dst;
        for (int64_t i = 0; i < count / QK; i++) y[i].d = loom_fp32_to_fp16(quantize_block(x + i * QK, y[i].qs, QK));
        break;
    }
    case T_Q8_1: {
        block_q8_1 *y = dst;
        for (int64_t i = 0; i < count / QK; i++) {
            const float d = quantize_block(x + i * QK, y[i].qs, QK);
            int sum = 0;
            for (int j = 0; j < QK; j++) sum += y[i].qs[j];
            y[i].d = loom_fp32_to_fp16(d);
            y[i].s = loom_fp32_to_fp16(d * (float)sum);
        }
        break;
    }
    case T_Q8_K: {
        block_q8_K *y = dst;
        for (int64_t i = 0; i < count / QK_K; i++) {
            y[i].d = quantize_block(x + i * QK_K, y[i].qs, QK_K);
            for (int g = 0; g < 16; g++) {
                int sum = 0;
                for (int j = 0; j < 16; j++) sum += y[i].qs[16 * g + j];
                y[i].bsums[g] = (int16_t)sum;
            }
        }
        break;
    }
    default:
        memcpy(dst, x, (size_t)count * 4);
    }
}

float loom_dot_scalar(uint32_t type, int64_t n, const void *vx, const void *vy) {
    const uint32_t vt = loom_vec_dot_type(type);
    float wbuf[QK_K], xbuf[QK_K];
    float sum = 0;
    for (int64_t e = 0; e < n; e += QK_K) {
        const int m = (int)(n - e < QK_K ? n - e : QK_K);
        loom_dequantize_scalar(type, (const char *)vx + type_bytes(type, e), wbuf, m);
        loom_dequantize_scalar(vt, (const char *)vy + type_bytes(vt, e), xbuf, m);
        for (int j = 0; j < m; j++) sum += wbuf[j] * xbuf[j];
    }
    return sum;
}

int loom_matvec_rows(uint32_t type, const void *w, size_t row_bytes, int64_t cols, const void *xq,
                     float *y, int64_t row_begin, int64_t row_end) {
    if (loom_vec_dot_type(type) == UINT32_MAX) return -1;
    const char *rows = w;
    loom_dot_fn dot = loom_simd_enabled() ? loom_dot_avx2(type) : NULL;
    if (dot) {
        for (int64_t r = row_begin; r < row_end; r++) y[r] = dot(cols, rows + (size_t)r * row_bytes, xq);
    } else {
        for (int64_t r = row_begin; r < row_end; r++) y[r] = loom_dot_scalar(type, cols, rows + (size_t)r * row_bytes, xq);
    }
    return 0;
}
