// AVX2/FMA/F16C dot products of one weight row with quantized activations, chosen at run time.
// Weights are expanded to bytes (unsigned 0..63 or signed) and multiplied with the int8
// activations by maddubs/madd in 16/32-bit integer lanes; each block's scale product multiplies
// the integer sum in f32. Block layouts as in blocks.h; the same math as loom_dot_scalar.
#include "blocks.h"
#include <math.h>

#if defined(__x86_64__)
#include "avx2_common.h"

int loom_cpu_has_avx2(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma") && __builtin_cpu_supports("f16c");
}

// x (n,) q4_0 · y (n,) q8_0
TGT static float dot_q4_0(int64_t n, const void *vx, const void *vy) {
    const block_q4_0 *x = vx;
    const block_q8_0 *y = vy;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK; i++) {
        const __m256 d = _mm256_set1_ps(H(x[i].d) * H(y[i].d));
        const __m256i qx = _mm256_sub_epi8(nibbles32(x[i].qs), _mm256_set1_epi8(8));
        acc = _mm256_fmadd_ps(d, mul_s8(qx, load32(y[i].qs)), acc);
    }
    return hsum8(acc);
}

// x (n,) q4_1 · y (n,) q8_1: d_x d_y Σ q_x q_y + m_x s_y
TGT static float dot_q4_1(int64_t n, const void *vx, const void *vy) {
    const block_q4_1 *x = vx;
    const block_q8_1 *y = vy;
    __m256 acc = _mm256_setzero_ps();
    float summs = 0;
    for (int64_t i = 0; i < n / QK; i++) {
        summs += H(x[i].m) * H(y[i].s);
        const __m256 d = _mm256_set1_ps(H(x[i].d) * H(y[i].d));
        acc = _mm256_fmadd_ps(d, mul_us8(nibbles32(x[i].qs), load32(y[i].qs)), acc);
    }
    return hsum8(acc) + summs;
}

// x (n,) q5_0 · y (n,) q8_0; q - 16 as a signed byte: nibble | 0xF0 where the fifth bit is clear.
TGT static float dot_q5_0(int64_t n, const void *vx, const void *vy) {
    const block_q5_0 *x = vx;
    const block_q8_0 *y = vy;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK; i++) {
        const __m256 d = _mm256_set1_ps(H(x[i].d) * H(y[i].d));
        const __m256i hi = _mm256_andnot_si256(bits32(x[i].qh), _mm256_set1_epi8((char)0xf0));
        const __m256i qx = _mm256_or_si256(nibbles32(x[i].qs), hi);
        acc = _mm256_fmadd_ps(d, mul_s8(qx, load32(y[i].qs)), acc);
    }
    return hsum8(acc);
}

// x (n,) q5_1 · y (n,) q8_1
TGT static float dot_q5_1(int64_t n, const void *vx, const void *vy) {
    const block_q5_1 *x = vx;
    const block_q8_1 *y = vy;
    __m256 acc = _mm256_setzero_ps();
    float summs = 0;
    for (int64_t i = 0; i < n / QK; i++) {
        summs += H(x[i].m) * H(y[i].s);
        const __m256 d = _mm256_set1_ps(H(x[i].d) * H(y[i].d));
        const __m256i hi = _mm256_and_si256(bits32(x[i].qh), _mm256_set1_epi8(0x10));
        acc = _mm256_fmadd_ps(d, mul_us8(_mm256_or_si256(nibbles32(x[i].qs), hi), load32(y[i].qs)), acc);
    }
    return hsum8(acc) + summs;
}

// x (n,) q8_0 · y (n,) q8_0
TGT static float dot_q8_0(int64_t n, const void *vx, const void *vy) {
    const block_q8_0 *x = vx;
    const block_q8_0 *y = vy;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK; i++) {
        const __m256 d = _mm256_set1_ps(H(x[i].d) * H(y[i].d));
        acc = _mm256_fmadd_ps(d, mul_s8(load32(x[i].qs), load32(y[i].qs)), acc);
    }
    return hsum8(acc);
}

// x (n,) q2_K · y (n,) q8_K: d Σ sc_k Σ q y - dmin Σ m_k bsum_k, 16 elements per (sc, m).
TGT static float dot_q2_K(int64_t n, const void *vx, const void *vy) {
    const block_q2_K *x = vx;
    const block_q8_K *y = vy;
    const __m256i m3 = _mm256_set1_epi8(3);
    __m256 acc = _mm256_setzero_ps(), acc_m = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; i++) {
        const float d = y[i].d * H(x[i].d), dmin = -y[i].d * H(x[i].dmin);
        const __m128i scb = _mm_loadu_si128((const __m128i *)x[i].scales);
        const __m256i mins = _mm256_cvtepu8_epi16(_mm_and_si128(_mm_srli_epi16(scb, 4), _mm_set1_epi8(0x0f)));
        acc_m = _mm256_fmadd_ps(_mm256_set1_ps(dmin), _mm256_cvtepi32_ps(_mm256_madd_epi16(mins, load32(y[i].bsums))), acc_m);
        uint8_t sc[16];
        for (int j = 0; j < 16; j++) sc[j] = x[i].scales[j] & 0x0f;
        __m256i sumi = _mm256_setzero_si256();
        for (int half = 0; half < 2; half++) {
            __m256i q2 = load32(x[i].qs + 32 * half);
            const int8_t *q8 = y[i].qs + 128 * half;
            const uint8_t *s = sc + 8 * half;
            for (int k = 0; k < 4; k++) {
                const __m256i p = _mm256_maddubs_epi16(_mm256_and_si256(q2, m3), load32(q8 + 32 * k));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, scale_pair(s[2 * k], s[2 * k + 1])));
                q2 = _mm256_srli_epi16(q2, 2);
            }
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum8(acc) + hsum8(acc_m);
}

// x (n,) q3_K · y (n,) q8_K: Σ q y = Σ q2 y - Σ 4 (1 - h) y per 16 elements, times (sc - 32).
TGT static float dot_q3_K(int64_t n, const void *vx, const void *vy) {
    const block_q3_K *x = vx;
    const block_q8_K *y = vy;
    const __m256i m3 = _mm256_set1_epi8(3), m1 = _mm256_set1_epi8(1);
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; i++) {
        const float d = y[i].d * H(x[i].d);
        int8_t sc[16];
        unpack_q3_scales(x[i].scales, sc);
        __m256i hbits = load32(x[i].hmask);
        __m256i sumi = _mm256_setzero_si256();
        for (int half = 0; half < 2; half++) {
            __m256i q2 = load32(x[i].qs + 32 * half);
            const int8_t *q8 = y[i].qs + 128 * half;
            for (int k = 0; k < 4; k++) {
                const __m256i y8 = load32(q8 + 32 * k);
                const __m256i q3h = _mm256_slli_epi16(_mm256_xor_si256(_mm256_and_si256(hbits, m1), m1), 2);
                const __m256i p = _mm256_sub_epi16(_mm256_maddubs_epi16(_mm256_and_si256(q2, m3), y8),
                                                   _mm256_maddubs_epi16(q3h, y8));
                const int s = 8 * half + 2 * k;
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, scale_pair(sc[s], sc[s + 1])));
                q2 = _mm256_srli_epi16(q2, 2);
                hbits = _mm256_srli_epi16(hbits, 1);
            }
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum8(acc);
}

/// The min term of q4_K/q5_K: Σ_k mn[k] (bsums[2k] + bsums[2k+1]) in 4 int32 lanes, as f32.
TGT static inline __m128 k4_min_term(const uint8_t mn[8], const int16_t *bsums) {
    const __m128i mins = _mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)mn));
    const __m128i sums = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)bsums),
                                        _mm_loadu_si128((const __m128i *)(bsums + 8)));
    return _mm_cvtepi32_ps(_mm_madd_epi16(mins, sums));
}

/// Σ over super-blocks of q4_K/q5_K weights · q8_K activations. Block i has its f16 d/dmin at
/// `dm + i * stride`, its 12 scale bytes at `scales + i * stride`, nibbles at `qs + i * stride` and, for
/// q5_K, the fifth bits at `qh + i * stride` (qh NULL for q4_K).
TGT static inline float dot_k4(int64_t nb, size_t stride, const uint8_t *dm, const uint8_t *scales,
                               const uint8_t *qh, const uint8_t *qs, const block_q8_K *y) {
    const __m256i m4 = _mm256_set1_epi8(0x0f), m1 = _mm256_set1_epi8(1);
    __m256 acc = _mm256_setzero_ps();
    __m128 acc_m = _mm_setzero_ps();
    for (int64_t i = 0; i < nb; i++) {
        const size_t o = (size_t)i * stride;
        uint16_t dh[2];
        memcpy(dh, dm + o, 4);
        const float d = y[i].d * H(dh[0]), dmin = -y[i].d * H(dh[1]);
        uint8_t sc[8], mn[8];
        unpack_k4_scales(scales + o, sc, mn);
        acc_m = _mm_fmadd_ps(_mm_set1_ps(dmin), k4_min_term(mn, y[i].bsums), acc_m);
        __m256i hbits = qh ? load32(qh + o) : _mm256_setzero_si256();
        __m256i sumi = _mm256_setzero_si256();
        for (int c = 0; c < 4; c++) {
            const __m256i q4 = load32(qs + o + 32 * c);
            const int8_t *q8 = y[i].qs + 64 * c;
            __m256i ql = _mm256_and_si256(q4, m4), qhi = _mm256_and_si256(_mm256_srli_epi16(q4, 4), m4);
            if (qh) {
                ql = _mm256_or_si256(ql, _mm256_slli_epi16(_mm256_and_si256(hbits, m1), 4));
                qhi = _mm256_or_si256(qhi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 1), m1), 4));
                hbits = _mm256_srli_epi16(hbits, 2);
            }
            const __m256i pl = _mm256_maddubs_epi16(ql, load32(q8));
            const __m256i ph = _mm256_maddubs_epi16(qhi, load32(q8 + 32));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(pl, _mm256_set1_epi16(sc[2 * c])));
            sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(ph, _mm256_set1_epi16(sc[2 * c + 1])));
        }
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum8(acc) + hsum4(acc_m);
}

// x (n,) q4_K · y (n,) q8_K
TGT static float dot_q4_K(int64_t n, const void *vx, const void *vy) {
    const block_q4_K *x = vx;
    return dot_k4(n / QK_K, sizeof(block_q4_K), (const uint8_t *)&x->d, x->scales, NULL, x->qs, vy);
}

// x (n,) q5_K · y (n,) q8_K
TGT static float dot_q5_K(int64_t n, const void *vx, const void *vy) {
    const block_q5_K *x = vx;
    return dot_k4(n / QK_K, sizeof(block_q5_K), (const uint8_t *)&x->d, x->scales, x->qh, x->qs, vy);
}

// x (n,) q6_K · y (n,) q8_K: Σ sc (q - 32) y = Σ sc q y - 32 Σ sc bsum.
TGT static float dot_q6_K(int64_t n, const void *vx, const void *vy) {
    const block_q6_K *x = vx;
    const block_q8_K *y = vy;
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK_K; i++) {
        const float d = y[i].d * H(x[i].d);
        const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)x[i].scales));
        const __m256i offset = _mm256_madd_epi16(sc16, load32(y[i].bsums));
        __m256i sumi = _mm256_setzero_si256();
        for (int half = 0; half < 2; half++) {
            const uint8_t *ql = x[i].ql + 64 * half;
            const int8_t *sc = x[i].scales + 8 * half, *q8 = y[i].qs + 128 * half;
            __m256i q[4];
            q6k_half(ql, x[i].qh + 32 * half, q);
            for (int k = 0; k < 4; k++) {
                const __m256i p = _mm256_maddubs_epi16(q[k], load32(q8 + 32 * k));
                sumi = _mm256_add_epi32(sumi, _mm256_madd_epi16(p, scale_pair(sc[2 * k], sc[2 * k + 1])));
            }
        }
        sumi = _mm256_sub_epi32(sumi, _mm256_slli_epi32(offset, 5));
        acc = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi), acc);
    }
    return hsum8(acc);
}

// x (n,) f32 · y (n,) f32, four accumulators.
TGT static float dot_f32(int64_t n, const void *vx, const void *vy) {
    const float *x = vx, *y = vy;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_loadu_ps(x + i + 8), _mm256_loadu_ps(y + i + 8), a1);
    }
    float sum = hsum8(_mm256_add_ps(a0, a1));
    for (; i < n; i++) sum += x[i] * y[i];
    return sum;
}

// x (n,) f16 · y (n,) f32
TGT static float dot_f16(int64_t n, const void *vx, const void *vy) {
    const uint16_t *x = vx;
    const float *y = vy;
    __m256 a0 = _mm256_setzero_ps(), a1 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        a0 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i))), _mm256_loadu_ps(y + i), a0);
        a1 = _mm256_fmadd_ps(_mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(x + i + 8))), _mm256_loadu_ps(y + i + 8), a1);
    }
    float sum = hsum8(_mm256_add_ps(a0, a1));
    for (; i < n; i++) sum += H(x[i]) * y[i];
    return sum;
}

// x (n,) bf16 · y (n,) f32
TGT static float dot_bf16(int64_t n, const void *vx, const void *vy) {
    const uint16_t *x = vx;
    const float *y = vy;
    __m256 a0 = _mm256_setzero_ps();
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        const __m256i w = _mm256_slli_epi32(_mm256_cvtepu16_epi32(_mm_loadu_si128((const __m128i *)(x + i))), 16);
        a0 = _mm256_fmadd_ps(_mm256_castsi256_ps(w), _mm256_loadu_ps(y + i), a0);
    }
    float sum = hsum8(a0);
    for (; i < n; i++) {
        uint32_t bits = (uint32_t)x[i] << 16;
        float f;
        memcpy(&f, &bits, 4);
        sum += f * y[i];
    }
    return sum;
}

TGT void loom_f16_to_f32_avx2(const uint16_t *src, float *dst, int64_t count) {
    int64_t i = 0;
    for (; i + 8 <= count; i += 8) _mm256_storeu_ps(dst + i, _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)(src + i))));
    for (; i < count; i++) dst[i] = H(src[i]);
}

loom_dot_fn loom_dot_avx2(uint32_t type) {
    switch (type) {
    case T_F32: return dot_f32;
    case T_F16: return dot_f16;
    case T_BF16: return dot_bf16;
    case T_Q4_0: return dot_q4_0;
    case T_Q4_1: return dot_q4_1;
    case T_Q5_0: return dot_q5_0;
    case T_Q5_1: return dot_q5_1;
    case T_Q8_0: return dot_q8_0;
    case T_Q2_K: return dot_q2_K;
    case T_Q3_K: return dot_q3_K;
    case T_Q4_K: return dot_q4_K;
    case T_Q5_K: return dot_q5_K;
    case T_Q6_K: return dot_q6_K;
    default: return NULL;
    }
}

// lanes[l] = fused Σ a[i]·b[i] over i ≡ l (mod 8), i < n rounded down to a multiple of 8.
TGT static void dot_f32_lanes_avx2(const float *a, const float *b, int64_t n, float lanes[8]) {
    __m256 acc = _mm256_setzero_ps();
    for (int64_t i = 0; i + 8 <= n; i += 8) {
        acc = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), acc);
    }
    _mm256_storeu_ps(lanes, acc);
}

#endif

void loom_dot_f32_lanes(const float *a, const float *b, int64_t n, float lanes[8]) {
#if defined(__x86_64__)
    if (loom_simd_enabled()) {
        dot_f32_lanes_avx2(a, b, n, lanes);
        return;
    }
#endif
    for (int l = 0; l < 8; l++) lanes[l] = 0;
    for (int64_t i = 0; i + 8 <= n; i += 8) {
        for (int l = 0; l < 8; l++) lanes[l] = fmaf(a[i + l], b[i + l], lanes[l]);
    }
}

#if !defined(__x86_64__)

int loom_cpu_has_avx2(void) { return 0; }
loom_dot_fn loom_dot_avx2(uint32_t type) { (void)type; return NULL; }
void loom_f16_to_f32_avx2(const uint16_t *src, float *dst, int64_t count) {
    for (int64_t i = 0; i < count; i++) dst[i] = loom_fp16_to_fp32(src[i]);
}

#endif
