// AVX2 dequantization of the block formats matMul meets most (legacy quants, q4_K/q5_K, q6_K): the
// same products in the same order as dequantize.c (multiply, then add/subtract; no FMA), so both give
// identical floats.
#include "blocks.h"

#if defined(__x86_64__)
#include "avx2_common.h"

/// y (32,) = d * bytes (32 signed bytes) + m (m added only when add_m).
TGT static inline void store_i8x32(float *y, __m256i q, __m256 d, __m256 m, int add_m) {
    const __m128i lo = _mm256_castsi256_si128(q), hi = _mm256_extracti128_si256(q, 1);
    const __m128i parts[4] = { lo, _mm_srli_si128(lo, 8), hi, _mm_srli_si128(hi, 8) };
    for (int k = 0; k < 4; k++) {
        __m256 v = _mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(parts[k])));
        if (add_m) v = _mm256_add_ps(v, m);
        _mm256_storeu_ps(y + 8 * k, v);
    }
}

/// y (32,) = d * bytes - m (sub-block of a K-quant; bytes unsigned < 64, so as signed they are the same).
TGT static inline void store_i8x32_sub(float *y, __m256i q, __m256 d, __m256 m) {
    const __m128i lo = _mm256_castsi256_si128(q), hi = _mm256_extracti128_si256(q, 1);
    const __m128i parts[4] = { lo, _mm_srli_si128(lo, 8), hi, _mm_srli_si128(hi, 8) };
    for (int k = 0; k < 4; k++) {
        _mm256_storeu_ps(y + 8 * k, _mm256_sub_ps(_mm256_mul_ps(d, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(parts[k]))), m));
    }
}

/// 32 bytes, 0x10 where bit i of qh is set (the fifth bit of q5_0/q5_1).
TGT static inline __m256i high_bits(const uint8_t *qh) {
    return _mm256_and_si256(bits32(qh), _mm256_set1_epi8(0x10));
}

TGT int loom_dequantize_avx2(uint32_t type, const void *src, float *y, int64_t n) {
    const __m256 zero = _mm256_setzero_ps();
    switch (type) {
    case T_Q4_0: {
        const block_q4_0 *b = src;
        for (int64_t i = 0; i < n / QK; i++, y += QK)
            store_i8x32(y, _mm256_sub_epi8(nibbles32(b[i].qs), _mm256_set1_epi8(8)), _mm256_set1_ps(H(b[i].d)), zero, 0);
        return 0;
    }
    case T_Q4_1: {
        const block_q4_1 *b = src;
        for (int64_t i = 0; i < n / QK; i++, y += QK)
            store_i8x32(y, nibbles32(b[i].qs), _mm256_set1_ps(H(b[i].d)), _mm256_set1_ps(H(b[i].m)), 1);
        return 0;
    }
    case T_Q5_0: {
        const block_q5_0 *b = src;
        for (int64_t i = 0; i < n / QK; i++, y += QK) {
            const __m256i q = _mm256_sub_epi8(_mm256_or_si256(nibbles32(b[i].qs), high_bits(b[i].qh)), _mm256_set1_epi8(16));
            store_i8x32(y, q, _mm256_set1_ps(H(b[i].d)), zero, 0);
        }
        return 0;
    }
    case T_Q5_1: {
        const block_q5_1 *b = src;
        for (int64_t i = 0; i < n / QK; i++, y += QK) {
            const __m256i q = _mm256_or_si256(nibbles32(b[i].qs), high_bits(b[i].qh));
            store_i8x32(y, q, _mm256_set1_ps(H(b[i].d)), _mm256_set1_ps(H(b[i].m)), 1);
        }
        return 0;
    }
    case T_Q8_0: {
        const block_q8_0 *b = src;
        for (int64_t i = 0; i < n / QK; i++, y += QK) store_i8x32(y, load32(b[i].qs), _mm256_set1_ps(H(b[i].d)), zero, 0);
        return 0;
    }
    case T_Q4_K: case T_Q5_K: {
        const int five = type == T_Q5_K;
        const size_t stride = five ? sizeof(block_q5_K) : sizeof(block_q4_K);
        const __m256i m4 = _mm256_set1_epi8(0x0f), m1 = _mm256_set1_epi8(1);
        for (int64_t i = 0; i < n / QK_K; i++) {
            const uint8_t *blk = (const uint8_t *)src + (size_t)i * stride;
            uint16_t dh[2];
            memcpy(dh, blk, 4);
            const float d = H(dh[0]), dmin = H(dh[1]);
            uint8_t sc[8], mn[8];
            unpack_k4_scales(blk + 4, sc, mn);
            const uint8_t *qs = five ? ((const block_q5_K *)blk)->qs : ((const block_q4_K *)blk)->qs;
            __m256i hbits = five ? load32(((const block_q5_K *)blk)->qh) : _mm256_setzero_si256();
            for (int c = 0; c < 4; c++) {
                const __m256i q4 = load32(qs + 32 * c);
                __m256i lo = _mm256_and_si256(q4, m4), hi = _mm256_and_si256(_mm256_srli_epi16(q4, 4), m4);
                lo = _mm256_or_si256(lo, _mm256_slli_epi16(_mm256_and_si256(hbits, m1), 4));
                hi = _mm256_or_si256(hi, _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hbits, 1), m1), 4));
                hbits = _mm256_srli_epi16(hbits, 2);
                store_i8x32_sub(y, lo, _mm256_set1_ps(d * sc[2 * c]), _mm256_set1_ps(dmin * mn[2 * c]));
                store_i8x32_sub(y + 32, hi, _mm256_set1_ps(d * sc[2 * c + 1]), _mm256_set1_ps(dmin * mn[2 * c + 1]));
                y += 64;
            }
        }
        return 0;
    }
    case T_Q6_K: {
        const block_q6_K *b = src;
        const __m256i k32 = _mm256_set1_epi8(32);
        for (int64_t i = 0; i < n / QK_K; i++) {
            const float d = H(b[i].d);
            for (int half = 0; half < 2; half++) {
                const uint8_t *ql = b[i].ql + 64 * half;
                const int8_t *sc = b[i].scales + 8 * half;
                __m256i q[4];
                q6k_half(ql, b[i].qh + 32 * half, q);
                for (int k = 0; k < 4; k++) {
                    // Elements 32k..32k+15 use scale 2k, 32k+16..32k+31 scale 2k+1.
                    const __m256i v = _mm256_sub_epi8(q[k], k32);
                    const __m128i lo = _mm256_castsi256_si128(v), hi = _mm256_extracti128_si256(v, 1);
                    const __m256 d0 = _mm256_set1_ps(d * sc[2 * k]), d1 = _mm256_set1_ps(d * sc[2 * k + 1]);
                    float *o = y + 32 * k;
                    _mm256_storeu_ps(o, _mm256_mul_ps(d0, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(lo))));
                    _mm256_storeu_ps(o + 8, _mm256_mul_ps(d0, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(lo, 8)))));
                    _mm256_storeu_ps(o + 16, _mm256_mul_ps(d1, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(hi))));
                    _mm256_storeu_ps(o + 24, _mm256_mul_ps(d1, _mm256_cvtepi32_ps(_mm256_cvtepi8_epi32(_mm_srli_si128(hi, 8)))));
                }
                y += 128;
            }
        }
        return 0;
    }
    default:
        return -1;
    }
}

#else

int loom_dequantize_avx2(uint32_t type, const void *src, float *y, int64_t n) {
    (void)type; (void)src; (void)y; (void)n;
    return -1;
}

#endif
