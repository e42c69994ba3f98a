// Single-token attention of one KV head: the `group` query heads that read it are computed together,
// so each cached key and value row is read once for the whole group. AVX2/FMA when enabled, portable
// scalar code otherwise; either way every output is computed by the same sequential code.
// As llama.cpp (without flash attention) converts the queries and the softmax probabilities to f16
// before its products with the f16 KV cache, both are rounded to f16 here too.
#include "include/ckernels.h"
#include <math.h>

/// Head sizes above this use the portable code.
#define MAX_HEAD_DIM 256

static float round_f16(float x) { return loom_fp16_to_fp32(loom_fp32_to_fp16(x)); }

#if defined(__x86_64__)
#include "avx2_common.h"

// x (n,) rounded to f16 precision in place.
TGT static void round_f16_avx2(float *x, int64_t n) {
    int64_t i = 0;
    for (; i + 8 <= n; i += 8) {
        _mm256_storeu_ps(x + i, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(x + i), _MM_FROUND_TO_NEAREST_INT)));
    }
    for (; i < n; i++) x[i] = H(loom_fp32_to_fp16(x[i]));
}

// scores[g * length + j] = scale · q_g · k_j for G (a constant after inlining) queries.
TGT static inline __attribute__((always_inline)) void scores_pass(const float *q, int64_t hd, const float *keys,
                                                                  int64_t stride, int64_t length, float scale,
                                                                  float *scores, int64_t ldscores, const int G) {
    float qr[8 * MAX_HEAD_DIM];
    for (int64_t i = 0; i < G * hd; i += 8) {
        _mm256_storeu_ps(qr + i, _mm256_cvtph_ps(_mm256_cvtps_ph(_mm256_loadu_ps(q + i), _MM_FROUND_TO_NEAREST_INT)));
    }
    for (int64_t j = 0; j < length; j++) {
        const float *k = keys + j * stride;
        __m256 acc[8];
        for (int g = 0; g < G; g++) acc[g] = _mm256_setzero_ps();
        for (int64_t d = 0; d < hd; d += 8) {
            const __m256 kv = _mm256_loadu_ps(k + d);
            for (int g = 0; g < G; g++) acc[g] = _mm256_fmadd_ps(_mm256_loadu_ps(qr + g * hd + d), kv, acc[g]);
        }
        for (int g = 0; g < G; g++) scores[g * ldscores + j] = hsum8(acc[g]) * scale;
    }
}

// out_g (hd,) = Σ_j p[g * length + j] · v_j for G (a constant after inlining) queries, 16 columns at a time.
TGT static inline __attribute__((always_inline)) void mix_pass(const float *p, int64_t ldp, const float *values,
                                                               int64_t stride, int64_t length, int64_t hd,
                                                               float *out, const int G) {
    for (int64_t d = 0; d < hd; d += 16) {
        __m256 lo[6], hi[6];
        for (int g = 0; g < G; g++) lo[g] = hi[g] = _mm256_setzero_ps();
        for (int64_t j = 0; j < length; j++) {
            const float *v = values + j * stride + d;
            const __m256 v0 = _mm256_loadu_ps(v), v1 = _mm256_loadu_ps(v + 8);
            for (int g = 0; g < G; g++) {
                const __m256 s = _mm256_broadcast_ss(p + g * ldp + j);
                lo[g] = _mm256_fmadd_ps(s, v0, lo[g]);
                hi[g] = _mm256_fmadd_ps(s, v1, hi[g]);
            }
        }
        for (int g = 0; g < G; g++) {
            _mm256_storeu_ps(out + g * hd + d, lo[g]);
            _mm256_storeu_ps(out + g * hd + d + 8, hi[g]);
        }
    }
}

TGT static void scores_avx2(const float *q, int64_t group, int64_t hd, const float *keys, int64_t stride,
                            int64_t length, float scale, float *scores) {
    int64_t g = 0;
    for (; g + 8 <= group; g += 8) scores_pass(q + g * hd, hd, keys, stride, length, scale, scores + g * length, length, 8);
    for (; g + 4 <= group; g += 4) scores_pass(q + g * hd, hd, keys, stride, length, scale, scores + g * length, length, 4);
    for (; g < group; g++) scores_pass(q + g * hd, hd, keys, stride, length, scale, scores + g * length, length, 1);
}

TGT static void mix_avx2(float *p, int64_t group, int64_t length, const float *values, int64_t stride,
                         int64_t hd, float *out) {
    round_f16_avx2(p, group * length);
    int64_t g = 0;
    for (; g + 6 <= group; g += 6) mix_pass(p + g * length, length, values, stride, length, hd, out + g * hd, 6);
    for (; g + 3 <= group; g += 3) mix_pass(p + g * length, length, values, stride, length, hd, out + g * hd, 3);
    for (; g < group; g++) mix_pass(p + g * length, length, values, stride, length, hd, out + g * hd, 1);
}
#endif

void loom_attention_scores(const float *q, int64_t group, int64_t hd, const float *keys, int64_t stride,
                           int64_t length, float scale, float *scores) {
#if defined(__x86_64__)
    if (loom_simd_enabled() && hd % 16 == 0 && hd <= MAX_HEAD_DIM) {
        scores_avx2(q, group, hd, keys, stride, length, scale, scores);
        return;
    }
#endif
    for (int64_t g = 0; g < group; g++) {
        for (int64_t j = 0; j < length; j++) {
            float sum = 0;
            for (int64_t d = 0; d < hd; d++) sum = fmaf(round_f16(q[g * hd + d]), keys[j * stride + d], sum);
            scores[g * length + j] = sum * scale;
        }
    }
}

void loom_attention_mix(float *p, int64_t group, int64_t length, const float *values, int64_t stride,
                        int64_t hd, float *out) {
#if defined(__x86_64__)
    if (loom_simd_enabled() && hd % 16 == 0) {
        mix_avx2(p, group, length, values, stride, hd, out);
        return;
    }
#endif
    for (int64_t i = 0; i < group * length; i++) p[i] = round_f16(p[i]);
    for (int64_t g = 0; g < group; g++) {
        for (int64_t d = 0; d < hd; d++) out[g * hd + d] = 0;
        for (int64_t j = 0; j < length; j++) {
            const float s = p[g * length + j];
            for (int64_t d = 0; d < hd; d++) out[g * hd + d] = fmaf(s, values[j * stride + d], out[g * hd + d]);
        }
    }
}
