// AVX2 int8 products of one weight row with NT = 4 tokens' quantized activations at once: the
// weight block is loaded and expanded to bytes once and multiplied with each token's int8 block by
// maddubs/madd. Per token the float operations are those of the one-token dot products in
// dot_avx2.c in the same order, so a token's result is bit-identical to matVec's.
#include "blocks.h"
#include "matmul.h"

#if defined(__x86_64__)
#include "avx2_common.h"

/// Row x (n,) · NT activation rows y[t] (n,) in the q4_K/q5_K layout (see dot_k4 in dot_avx2.c).
TGT static inline void dot4_k4(int64_t nb, size_t stride, const uint8_t *dm, const uint8_t *scales,
                               const uint8_t *qh, const uint8_t *qs, const void *const vy[NT], float out[NT]) {
    const __m256i m4 = _mm256_set1_epi8(0x0f), m1 = _mm256_set1_epi8(1);
    const block_q8_K *y[NT];
    __m256 acc[NT];
    __m128 acc_m[NT];
    for (int t = 0; t < NT; t++) {
        y[t] = vy[t];
        acc[t] = _mm256_setzero_ps();
        acc_m[t] = _mm_setzero_ps();
    }
    for (int64_t i = 0; i < nb; i++) {
        const size_t o = (size_t)i * stride;
        uint16_t dh[2];
        memcpy(dh, dm + o, 4);
        const float wd = H(dh[0]), wmin = H(dh[1]);
        uint8_t sc[8], mn[8];
        unpack_k4_scales(scales + o, sc, mn);
        const __m128i mins = _mm_cvtepu8_epi16(_mm_loadl_epi64((const __m128i *)mn));
        for (int t = 0; t < NT; t++) {
            const int16_t *bsums = y[t][i].bsums;
            const __m128i sums = _mm_hadd_epi16(_mm_loadu_si128((const __m128i *)bsums),
                                                _mm_loadu_si128((const __m128i *)(bsums + 8)));
            const float dmin = -y[t][i].d * wmin;
            acc_m[t] = _mm_fmadd_ps(_mm_set1_ps(dmin), _mm_cvtepi32_ps(_mm_madd_epi16(mins, sums)), acc_m[t]);
        }
        __m256i hbits = qh ? load32(qh + o) : _mm256_setzero_si256();
        __m256i sumi[NT];
        for (int t = 0; t < NT; t++) sumi[t] = _mm256_setzero_si256();
        for (int c = 0; c < 4; c++) {
            const __m256i q4 = load32(qs + o + 32 * c);
            __m256i ql = _mm256_and_si256(q4, m4), qhi = _mm256_and_si256(_mm256_srli_epi16(q4, 4), m4);
            if (qh) {
                ql = _mm256_or_si256(ql, _mm256_slli_epi16(_mm256_and_si256(hbits, m1), 4));
                qhi = _mm256_or_si256(qhi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 1), m1), 4));
                hbits = _mm256_srli_epi16(hbits, 2);
            }
            const __m256i sl = _mm256_set1_epi16(sc[2 * c]), sh = _mm256_set1_epi16(sc[2 * c + 1]);
            for (int t = 0; t < NT; t++) {
                const int8_t *q8 = y[t][i].qs + 64 * c;
                const __m256i pl = _mm256_maddubs_epi16(ql, load32(q8));
                const __m256i ph = _mm256_maddubs_epi16(qhi, load32(q8 + 32));
                sumi[t] = _mm256_add_epi32(sumi[t], _mm256_madd_epi16(pl, sl));
                sumi[t] = _mm256_add_epi32(sumi[t], _mm256_madd_epi16(ph, sh));
            }
        }
        for (int t = 0; t < NT; t++) {
            const float d = y[t][i].d * wd;
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(sumi[t]), acc[t]);
        }
    }
    for (int t = 0; t < NT; t++) out[t] = hsum8(acc[t]) + hsum4(acc_m[t]);
}

// x (n,) q4_K · NT rows y[t] (n,) q8_K -> out (NT,)
TGT static void dot4_q4_K(int64_t n, const void *vx, const void *const vy[NT], float out[NT]) {
    const block_q4_K *x = vx;
    dot4_k4(n / QK_K, sizeof(block_q4_K), (const uint8_t *)&x->d, x->scales, NULL, x->qs, vy, out);
}

// x (n,) q5_K · NT rows y[t] (n,) q8_K -> out (NT,)
TGT static void dot4_q5_K(int64_t n, const void *vx, const void *const vy[NT], float out[NT]) {
    const block_q5_K *x = vx;
    dot4_k4(n / QK_K, sizeof(block_q5_K), (const uint8_t *)&x->d, x->scales, x->qh, x->qs, vy, out);
}

// x (n,) q6_K · NT rows y[t] (n,) q8_K -> out (NT,): Σ sc (q - 32) y = Σ sc q y - 32 Σ sc bsum.
TGT static void dot4_q6_K(int64_t n, const void *vx, const void *const vy[NT], float out[NT]) {
    const block_q6_K *x = vx;
    const block_q8_K *y[NT];
    __m256 acc[NT];
    for (int t = 0; t < NT; t++) {
        y[t] = vy[t];
        acc[t] = _mm256_setzero_ps();
    }
    for (int64_t i = 0; i < n / QK_K; i++) {
        const float wd = H(x[i].d);
        const __m256i sc16 = _mm256_cvtepi8_epi16(_mm_loadu_si128((const __m128i *)x[i].scales));
        __m256i sumi[NT];
        for (int t = 0; t < NT; t++) sumi[t] = _mm256_setzero_si256();
        for (int half = 0; half < 2; half++) {
            const uint8_t *ql = x[i].ql + 64 * half;
            const int8_t *sc = x[i].scales + 8 * half;
            __m256i q[4];
            q6k_half(ql, x[i].qh + 32 * half, q);
            for (int k = 0; k < 4; k++) {
                const __m256i s = scale_pair(sc[2 * k], sc[2 * k + 1]);
                for (int t = 0; t < NT; t++) {
                    const __m256i p = _mm256_maddubs_epi16(q[k], load32(y[t][i].qs + 128 * half + 32 * k));
                    sumi[t] = _mm256_add_epi32(sumi[t], _mm256_madd_epi16(p, s));
                }
            }
        }
        for (int t = 0; t < NT; t++) {
            const __m256i offset = _mm256_madd_epi16(sc16, load32(y[t][i].bsums));
            const __m256i s = _mm256_sub_epi32(sumi[t], _mm256_slli_epi32(offset, 5));
            const float d = y[t][i].d * wd;
            acc[t] = _mm256_fmadd_ps(_mm256_set1_ps(d), _mm256_cvtepi32_ps(s), acc[t]);
        }
    }
    for (int t = 0; t < NT; t++) out[t] = hsum8(acc[t]);
}

/// NT dot products of signed weight bytes qx (one 32-element block, scale wd) with the tokens'
/// q8_0 blocks y[t][i], accumulated into acc[t] as mul_s8 does for one token.
TGT static inline void block4_s8(__m256i qx, float wd, const block_q8_0 *const y[NT], int64_t i, __m256 acc[NT]) {
    const __m256i ax = _mm256_sign_epi8(qx, qx);
    for (int t = 0; t < NT; t++) {
        const __m256 d = _mm256_set1_ps(wd * H(y[t][i].d));
        const __m256i sy = _mm256_sign_epi8(load32(y[t][i].qs), qx);
        acc[t] = _mm256_fmadd_ps(d, sum_i16_pairs(_mm256_maddubs_epi16(ax, sy)), acc[t]);
    }
}

// x (n,) q4_0 · NT rows y[t] (n,) q8_0 -> out (NT,)
TGT static void dot4_q4_0(int64_t n, const void *vx, const void *const vy[NT], float out[NT]) {
    const block_q4_0 *x = vx;
    __m256 acc[NT];
    for (int t = 0; t < NT; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK; i++) {
        const __m256i qx = _mm256_sub_epi8(nibbles32(x[i].qs), _mm256_set1_epi8(8));
        block4_s8(qx, H(x[i].d), (const block_q8_0 *const *)vy, i, acc);
    }
    for (int t = 0; t < NT; t++) out[t] = hsum8(acc[t]);
}

// x (n,) q5_0 · NT rows y[t] (n,) q8_0 -> out (NT,)
TGT static void dot4_q5_0(int64_t n, const void *vx, const void *const vy[NT], float out[NT]) {
    const block_q5_0 *x = vx;
    __m256 acc[NT];
    for (int t = 0; t < NT; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK; i++) {
        const __m256i hi = _mm256_andnot_si256(bits32(x[i].qh), _mm256_set1_epi8((char)0xf0));
        block4_s8(_mm256_or_si256(nibbles32(x[i].qs), hi), H(x[i].d), (const block_q8_0 *const *)vy, i, acc);
    }
    for (int t = 0; t < NT; t++) out[t] = hsum8(acc[t]);
}

// x (n,) q8_0 · NT rows y[t] (n,) q8_0 -> out (NT,)
TGT static void dot4_q8_0(int64_t n, const void *vx, const void *const vy[NT], float out[NT]) {
    const block_q8_0 *x = vx;
    __m256 acc[NT];
    for (int t = 0; t < NT; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t i = 0; i < n / QK; i++) block4_s8(load32(x[i].qs), H(x[i].d), (const block_q8_0 *const *)vy, i, acc);
    for (int t = 0; t < NT; t++) out[t] = hsum8(acc[t]);
}

/// q (n,) = round(x * id) with id = 127 / max|x| (0 for an all-zero block), as quantize_block in
/// matvec.c does (rounding to nearest even either way); returns d = 1 / id. n is a multiple of 32.
TGT static inline float quantize_block_avx2(const float *x, int8_t *q, int n) {
    const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
    __m256 m = _mm256_setzero_ps();
    for (int j = 0; j < n; j += 8) m = _mm256_max_ps(m, _mm256_and_ps(_mm256_loadu_ps(x + j), abs_mask));
    const __m128 m4 = _mm_max_ps(_mm256_castps256_ps128(m), _mm256_extractf128_ps(m, 1));
    const __m128 m2 = _mm_max_ps(m4, _mm_movehl_ps(m4, m4));
    const float amax = _mm_cvtss_f32(_mm_max_ss(m2, _mm_movehdup_ps(m2)));
    const float d = amax / 127.0f, id = d != 0 ? 1.0f / d : 0.0f;
    const __m256 vid = _mm256_set1_ps(id);
    for (int j = 0; j < n; j += 32) {
        const __m256i a = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j), vid));
        const __m256i b = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j + 8), vid));
        const __m256i c = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j + 16), vid));
        const __m256i e = _mm256_cvtps_epi32(_mm256_mul_ps(_mm256_loadu_ps(x + j + 24), vid));
        // packs interleave the 128-bit lanes; the permute puts the 32 bytes back in order.
        const __m256i ab = _mm256_packs_epi32(a, b), ce = _mm256_packs_epi32(c, e);
        const __m256i bytes = _mm256_permutevar8x32_epi32(_mm256_packs_epi16(ab, ce),
                                                          _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7));
        _mm256_storeu_si256((__m256i *)(q + j), bytes);
    }
    return d;
}

TGT int loom_quantize_avx2(uint32_t vec_type, const float *x, void *dst, int64_t count) {
    if (!loom_simd_enabled()) return -1;
    if (vec_type == T_Q8_0) {
        block_q8_0 *y = dst;
        for (int64_t i = 0; i < count / QK; i++) y[i].d = loom_fp32_to_fp16(quantize_block_avx2(x + i * QK, y[i].qs, QK));
        return 0;
    }
    if (vec_type == T_Q8_K) {
        block_q8_K *y = dst;
        for (int64_t i = 0; i < count / QK_K; i++) {
            y[i].d = quantize_block_avx2(x + i * QK_K, y[i].qs, QK_K);
            // bsums[g] = sum of qs[16g ..< 16g + 16]: widen to int16, add pairs, then pairs of pairs.
            for (int h = 0; h < 2; h++) {
                __m256i s[4];
                for (int k = 0; k < 4; k++) {
                    const __m256i v = load32(y[i].qs + 128 * h + 32 * k);
                    s[k] = _mm256_maddubs_epi16(_mm256_set1_epi8(1), v); // 16 pair sums, int16
                }
                // Each 32-byte vector holds two groups of 16: reduce 8 pair sums per group.
                for (int k = 0; k < 4; k++) {
                    int16_t p[16];
                    _mm256_storeu_si256((__m256i *)p, s[k]);
                    int a = 0, b = 0;
                    for (int j = 0; j < 8; j++) { a += p[j]; b += p[8 + j]; }
                    y[i].bsums[8 * h + 2 * k] = (int16_t)a;
                    y[i].bsums[8 * h + 2 * k + 1] = (int16_t)b;
                }
            }
        }
        return 0;
    }
    return -1;
}

loom_dot4_fn loom_dot4_avx2(uint32_t type) {
    switch (type) {
    case T_Q4_0: return dot4_q4_0;
    case T_Q5_0: return dot4_q5_0;
    case T_Q8_0: return dot4_q8_0;
    case T_Q4_K: return dot4_q4_K;
    case T_Q5_K: return dot4_q5_K;
    case T_Q6_K: return dot4_q6_K;
    default: return NULL;
    }
}

#else

loom_dot4_fn loom_dot4_avx2(uint32_t type) { (void)type; return NULL; }
int loom_quantize_avx2(uint32_t vec_type, const float *x, void *dst, int64_t count) {
    (void)vec_type; (void)x; (void)dst; (void)count;
    return -1;
}

#endif
