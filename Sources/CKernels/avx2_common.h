// AVX2 helpers shared by dot_avx2.c and dequantize_avx2.c (x86-64 only; every function carries the
// avx2/fma/f16c target attribute so the files build without -march flags).
#ifndef LOOM_AVX2_COMMON_H
#define LOOM_AVX2_COMMON_H

#include <immintrin.h>
#include "blocks.h"

#define TGT __attribute__((target("avx2,fma,f16c")))
/// f16 bits to float. The empty asm makes the compiler build the whole register with vmovd: left to
/// itself (also with _cvtsh_ss) it inserts the 16 bits into an arbitrary live register — in the dot
/// products the accumulator — which chains every block's scale to the previous block's FMA.
TGT static inline float H(uint16_t h) {
    __m128i v = _mm_cvtsi32_si128((int)h);
    __asm__("" : "+x"(v));
    return _mm_cvtss_f32(_mm_cvtph_ps(v));
}

TGT static inline float hsum4(__m128 r) {
    r = _mm_add_ps(r, _mm_movehl_ps(r, r));
    r = _mm_add_ss(r, _mm_movehdup_ps(r));
    return _mm_cvtss_f32(r);
}

TGT static inline float hsum8(__m256 x) {
    return hsum4(_mm_add_ps(_mm256_castps256_ps128(x), _mm256_extractf128_ps(x, 1)));
}

/// Sums adjacent int16 pairs into 8 int32 lanes, as f32.
TGT static inline __m256 sum_i16_pairs(__m256i x) {
    return _mm256_cvtepi32_ps(_mm256_madd_epi16(x, _mm256_set1_epi16(1)));
}

/// Sums of products of 32 unsigned bytes (ax) with 32 signed bytes (sy), in 8 f32 lanes.
TGT static inline __m256 mul_us8(__m256i ax, __m256i sy) {
    return sum_i16_pairs(_mm256_maddubs_epi16(ax, sy));
}

/// Sums of products of 32 signed bytes, in 8 f32 lanes (|x| times y with x's sign).
TGT static inline __m256 mul_s8(__m256i x, __m256i y) {
    return mul_us8(_mm256_sign_epi8(x, x), _mm256_sign_epi8(y, x));
}

/// 32 bytes from 16: low nibbles first (elements 0-15), then high nibbles (16-31).
TGT static inline __m256i nibbles32(const uint8_t *qs) {
    const __m128i t = _mm_loadu_si128((const __m128i *)qs);
    return _mm256_and_si256(_mm256_set_m128i(_mm_srli_epi16(t, 4), t), _mm256_set1_epi8(0x0f));
}

/// 32 bytes, 0xFF where bit i of the 32-bit little-endian qh is set.
TGT static inline __m256i bits32(const uint8_t *qh) {
    uint32_t x;
    memcpy(&x, qh, 4);
    const __m256i spread = _mm256_shuffle_epi8(_mm256_set1_epi32((int)x),
        _mm256_set_epi64x(0x0303030303030303LL, 0x0202020202020202LL, 0x0101010101010101LL, 0));
    const __m256i bit = _mm256_set1_epi64x((long long)0x8040201008040201ULL);
    return _mm256_cmpeq_epi8(_mm256_and_si256(spread, bit), bit);
}

/// int16 lanes: `a` for the low 8 (elements 0-15 of a 32-byte vector), `b` for the high 8.
TGT static inline __m256i scale_pair(int a, int b) {
    return _mm256_set_m128i(_mm_set1_epi16((short)b), _mm_set1_epi16((short)a));
}

TGT static inline __m256i load32(const void *p) { return _mm256_loadu_si256((const __m256i *)p); }

/// The 6-bit values (0..63) of one half (128 elements) of a q6_K super-block: q[k] holds elements
/// 32k ..< 32k + 32 of the half, from its 64 low-nibble bytes `ql` and 32 high-bit bytes `qh`.
TGT static inline void q6k_half(const uint8_t *ql, const uint8_t *qh, __m256i q[4]) {
    const __m256i m4 = _mm256_set1_epi8(0x0f), m2 = _mm256_set1_epi8(3);
    const __m256i l1 = load32(ql), l2 = load32(ql + 32), hb = load32(qh);
    q[0] = _mm256_or_si256(_mm256_and_si256(l1, m4), _mm256_slli_epi16(_mm256_and_si256(hb, m2), 4));
    q[1] = _mm256_or_si256(_mm256_and_si256(l2, m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 2), m2), 4));
    q[2] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l1, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 4), m2), 4));
    q[3] = _mm256_or_si256(_mm256_and_si256(_mm256_srli_epi16(l2, 4), m4), _mm256_slli_epi16(_mm256_and_si256(_mm256_srli_epi16(hb, 6), m2), 4));
}

#endif
