// q4_K weights repacked into panels of 8 rows, and the AVX2 products on them (prefill and decode).
//
// In a panel the 8 rows' 4-element groups of one sub-block sit side by side: 32 bytes hold 8 rows ×
// 4 elements, two such groups per byte (low and high nibble). One maddubs of such a vector with a
// token's 4 activation bytes broadcast gives int16 partial sums of all 8 rows; eight of them are summed
// in int16 (8 · 2 · 15 · 127 = 30480 fits) before one madd by the rows' sub-block scales, so the
// multiplies of a sub-block cost 8 maddubs + 1 madd instead of 8 maddubs + 8 madd in the row layout.
#include "blocks.h"
#include "q4k_panels.h"

/// Scales and mins of the 8 rows of a panel super-block: sc[r], mn[r] of row r from its 12 packed bytes.
static void panel_scales(const block_q4_K *const rows[8], int64_t i, block_q4_Kx8 *out) {
    for (int r = 0; r < 8; r++) {
        const block_q4_K *b = rows[r] + i;
        uint8_t sc[8], mn[8];
        unpack_k4_scales(b->scales, sc, mn);
        out->d[r] = b->d;
        out->dmin[r] = b->dmin;
        for (int j = 0; j < 8; j++) out->scales[j][r] = sc[j];
        for (int p = 0; p < 4; p++) {
            out->mins[p][2 * r] = mn[2 * p];
            out->mins[p][2 * r + 1] = mn[2 * p + 1];
        }
    }
}

/// q[k] (256,) = the 4-bit values of a q4_K super-block, in element order.
static inline void q4k_elements(const block_q4_K *b, uint8_t q[QK_K]) {
    for (int c = 0; c < 4; c++) {
        for (int l = 0; l < 32; l++) {
            const uint8_t byte = b->qs[32 * c + l];
            q[64 * c + l] = byte & 0x0f;
            q[64 * c + 32 + l] = byte >> 4;
        }
    }
}

size_t loom_q4k_panel_bytes(int64_t rows, int64_t cols) {
    if (rows % 8 != 0 || cols % QK_K != 0) return 0;
    return (size_t)(rows / 8) * (size_t)(cols / QK_K) * sizeof(block_q4_Kx8);
}

void loom_q4k_repack(const void *w, int64_t cols, void *dst, int64_t panel_begin, int64_t panel_end) {
    const int64_t nb = cols / QK_K;
    const size_t row_bytes = (size_t)nb * sizeof(block_q4_K);
    block_q4_Kx8 *out = dst;
    for (int64_t p = panel_begin; p < panel_end; p++) {
        const block_q4_K *rows[8];
        for (int r = 0; r < 8; r++) rows[r] = (const block_q4_K *)((const char *)w + (size_t)(8 * p + r) * row_bytes);
        for (int64_t i = 0; i < nb; i++) {
            block_q4_Kx8 *o = out + p * nb + i;
            panel_scales(rows, i, o);
            uint8_t q[8][QK_K];
            for (int r = 0; r < 8; r++) q4k_elements(rows[r] + i, q[r]);
            for (int j = 0; j < 8; j++) {
                for (int v = 0; v < 4; v++) {
                    for (int r = 0; r < 8; r++) {
                        const uint8_t *lo = q[r] + 32 * j + 4 * v, *hi = lo + 16;
                        for (int e = 0; e < 4; e++) o->qs[j][v][4 * r + e] = (uint8_t)(lo[e] | (hi[e] << 4));
                    }
                }
            }
        }
    }
}

/// out (8,) = the 8 rows of panel x (nb super-blocks) · token y (the portable code).
static void panel_scalar(const block_q4_Kx8 *x, int64_t nb, const block_q8_K *y, float out[8]) {
    for (int r = 0; r < 8; r++) out[r] = 0;
    for (int64_t i = 0; i < nb; i++) {
        const block_q4_Kx8 *b = x + i;
        for (int r = 0; r < 8; r++) {
            int32_t sum = 0, msum = 0;
            for (int j = 0; j < 8; j++) {
                int32_t s = 0;
                for (int v = 0; v < 4; v++) {
                    for (int e = 0; e < 4; e++) {
                        const uint8_t q = b->qs[j][v][4 * r + e];
                        s += (q & 0x0f) * y[i].qs[32 * j + 4 * v + e] + (q >> 4) * y[i].qs[32 * j + 16 + 4 * v + e];
                    }
                }
                sum += s * b->scales[j][r];
                msum += b->mins[j / 2][2 * r + (j & 1)] * (y[i].bsums[2 * j] + y[i].bsums[2 * j + 1]);
            }
            out[r] += F16(b->d[r]) * y[i].d * (float)sum - F16(b->dmin[r]) * y[i].d * (float)msum;
        }
    }
}

#if defined(__x86_64__)
#include "avx2_common.h"

/// acc[t] (8 rows) = panel x (nb super-blocks) · token y[t], t < T; T is a compile-time 1 or 4.
TGT static inline __attribute__((always_inline)) void panel_avx2(const block_q4_Kx8 *x, int64_t nb,
                                                                const block_q8_K *const y[4], int T, __m256 acc[4]) {
    const __m256i m4 = _mm256_set1_epi8(0x0f);
    for (int t = 0; t < T; t++) acc[t] = _mm256_setzero_ps();
    for (int64_t i = 0; i < nb; i++) {
        const block_q4_Kx8 *b = x + i;
        __m256i s32[4];
        for (int t = 0; t < T; t++) s32[t] = _mm256_setzero_si256();
        for (int j = 0; j < 8; j++) {
            const __m128i s8 = _mm_loadl_epi64((const __m128i *)b->scales[j]);
            const __m256i sc = _mm256_cvtepu8_epi16(_mm_unpacklo_epi8(s8, s8));
            __m256i s16[4];
            for (int t = 0; t < T; t++) s16[t] = _mm256_setzero_si256();
            for (int v = 0; v < 4; v++) {
                const __m256i q = load32(b->qs[j][v]);
                const __m256i lo = _mm256_and_si256(q, m4), hi = _mm256_and_si256(_mm256_srli_epi16(q, 4), m4);
                for (int t = 0; t < T; t++) {
                    const int8_t *q8 = y[t][i].qs + 32 * j + 4 * v;
                    int32_t a, c;
                    memcpy(&a, q8, 4);
                    memcpy(&c, q8 + 16, 4);
                    s16[t] = _mm256_add_epi16(s16[t], _mm256_maddubs_epi16(lo, _mm256_set1_epi32(a)));
                    s16[t] = _mm256_add_epi16(s16[t], _mm256_maddubs_epi16(hi, _mm256_set1_epi32(c)));
                }
            }
            for (int t = 0; t < T; t++) s32[t] = _mm256_add_epi32(s32[t], _mm256_madd_epi16(s16[t], sc));
        }
        const __m256 d = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)b->d));
        const __m256 dmin = _mm256_cvtph_ps(_mm_loadu_si128((const __m128i *)b->dmin));
        for (int t = 0; t < T; t++) {
            const int16_t *bs = y[t][i].bsums;
            __m256i msum = _mm256_setzero_si256();
            for (int p = 0; p < 4; p++) {
                const int32_t b0 = bs[4 * p] + bs[4 * p + 1], b1 = bs[4 * p + 2] + bs[4 * p + 3];
                const __m256i mins = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)b->mins[p]));
                const int32_t pair = (int32_t)(((uint32_t)(uint16_t)b1 << 16) | (uint16_t)b0);
                msum = _mm256_add_epi32(msum, _mm256_madd_epi16(mins, _mm256_set1_epi32(pair)));
            }
            const __m256 yd = _mm256_set1_ps(y[t][i].d);
            acc[t] = _mm256_fmadd_ps(_mm256_mul_ps(d, yd), _mm256_cvtepi32_ps(s32[t]), acc[t]);
            acc[t] = _mm256_fnmadd_ps(_mm256_mul_ps(dmin, yd), _mm256_cvtepi32_ps(msum), acc[t]);
        }
    }
}

TGT static void panels_avx2(const block_q4_Kx8 *panels, int64_t nb, const char *xq, size_t xq_row_bytes, int64_t n,
                            float *y, int64_t ldy, int64_t panel_begin, int64_t panel_end) {
    // Panels of about 96 KB run against one 4-token tile before the next tile (weights stay in L2).
    int64_t block = (int64_t)(96 * 1024 / ((size_t)nb * sizeof(block_q4_Kx8)));
    if (block < 1) block = 1;
    for (int64_t p0 = panel_begin; p0 < panel_end; p0 += block) {
        const int64_t p1 = p0 + block < panel_end ? p0 + block : panel_end;
        int64_t t = 0;
        for (; t + 4 <= n; t += 4) {
            const block_q8_K *ys[4];
            for (int k = 0; k < 4; k++) ys[k] = (const block_q8_K *)(xq + (size_t)(t + k) * xq_row_bytes);
            for (int64_t p = p0; p < p1; p++) {
                __m256 acc[4];
                panel_avx2(panels + p * nb, nb, ys, 4, acc);
                for (int k = 0; k < 4; k++) _mm256_storeu_ps(y + (t + k) * ldy + 8 * p, acc[k]);
            }
        }
        for (; t < n; t++) {
            const block_q8_K *ys[4] = { (const block_q8_K *)(xq + (size_t)t * xq_row_bytes) };
            for (int64_t p = p0; p < p1; p++) {
                __m256 acc[4];
                panel_avx2(panels + p * nb, nb, ys, 1, acc);
                _mm256_storeu_ps(y + t * ldy + 8 * p, acc[0]);
            }
        }
    }
}
#endif

void loom_q4k_panels_matmul(const void *panels, int64_t cols, const void *xq, size_t xq_row_bytes, int64_t n,
                            float *y, int64_t ldy, int64_t panel_begin, int64_t panel_end) {
    const int64_t nb = cols / QK_K;
#if defined(__x86_64__)
    if (loom_simd_enabled()) {
        panels_avx2(panels, nb, xq, xq_row_bytes, n, y, ldy, panel_begin, panel_end);
        return;
    }
#endif
    for (int64_t t = 0; t < n; t++) {
        const block_q8_K *yt = (const block_q8_K *)((const char *)xq + (size_t)t * xq_row_bytes);
        for (int64_t p = panel_begin; p < panel_end; p++) {
            panel_scalar((const block_q4_Kx8 *)panels + p * nb, nb, yt, y + t * ldy + 8 * p);
        }
    }
}
