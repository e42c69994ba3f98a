// Dequantization of every supported ggml block format to f32 (portable C; the compiler
// vectorises the inner loops). Mirrors the layouts of ggml-quants.c `dequantize_row_*`.
#include "blocks.h"

float loom_fp16_to_fp32(uint16_t h) {
    uint32_t sign = (uint32_t)(h & 0x8000u) << 16;
    uint32_t exp = (h >> 10) & 0x1fu, mant = h & 0x3ffu, bits;
    if (exp == 0) {
        float f = (float)mant * 5.9604644775390625e-8f; // subnormal: mant * 2^-24
        return sign ? -f : f;
    }
    if (exp == 31) bits = sign | 0x7f800000u | (mant << 13);
    else bits = sign | ((exp + 112) << 23) | (mant << 13);
    float f;
    memcpy(&f, &bits, 4);
    return f;
}

uint16_t loom_fp32_to_fp16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    uint32_t sign = (x >> 16) & 0x8000u, a = x & 0x7fffffffu;
    if (a > 0x7f800000u) return (uint16_t)(sign | 0x7e00u);  // NaN
    if (a >= 0x477ff000u) return (uint16_t)(sign | 0x7c00u); // rounds to infinity
    if (a < 0x38800000u) {                                    // below the smallest normal half
        float v;
        memcpy(&v, &a, 4);
        float scaled = v * 16777216.0f; // units of 2^-24, exact
        uint32_t m = (uint32_t)scaled;
        float rest = scaled - (float)m;
        if (rest > 0.5f || (rest == 0.5f && (m & 1))) m++;
        return (uint16_t)(sign | m);
    }
    uint32_t h = ((a >> 23) - 112) << 10 | ((a >> 13) & 0x3ffu);
    uint32_t rem = a & 0x1fffu;
    if (rem > 0x1000u || (rem == 0x1000u && (h & 1))) h++;
    return (uint16_t)(sign | h);
}

static void deq_q4_0(const block_q4_0 *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += QK) {
        const float d = F16(b[i].d);
        for (int j = 0; j < 16; j++) {
            y[j] = d * ((b[i].qs[j] & 0x0f) - 8);
            y[j + 16] = d * ((b[i].qs[j] >> 4) - 8);
        }
    }
}

static void deq_q4_1(const block_q4_1 *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += QK) {
        const float d = F16(b[i].d), m = F16(b[i].m);
        for (int j = 0; j < 16; j++) {
            y[j] = d * (b[i].qs[j] & 0x0f) + m;
            y[j + 16] = d * (b[i].qs[j] >> 4) + m;
        }
    }
}

static void deq_q5_0(const block_q5_0 *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += QK) {
        const float d = F16(b[i].d);
        uint32_t qh;
        memcpy(&qh, b[i].qh, 4);
        for (int j = 0; j < 16; j++) {
            const int h0 = ((qh >> j) & 1) << 4, h1 = ((qh >> (j + 16)) & 1) << 4;
            y[j] = d * (((b[i].qs[j] & 0x0f) | h0) - 16);
            y[j + 16] = d * (((b[i].qs[j] >> 4) | h1) - 16);
        }
    }
}

static void deq_q5_1(const block_q5_1 *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += QK) {
        const float d = F16(b[i].d), m = F16(b[i].m);
        uint32_t qh;
        memcpy(&qh, b[i].qh, 4);
        for (int j = 0; j < 16; j++) {
            const int h0 = ((qh >> j) & 1) << 4, h1 = ((qh >> (j + 16)) & 1) << 4;
            y[j] = d * ((b[i].qs[j] & 0x0f) | h0) + m;
            y[j + 16] = d * ((b[i].qs[j] >> 4) | h1) + m;
        }
    }
}

static void deq_q8_0(const block_q8_0 *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += QK) {
        const float d = F16(b[i].d);
        for (int j = 0; j < QK; j++) y[j] = d * b[i].qs[j];
    }
}

static void deq_q8_1(const block_q8_1 *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += QK) {
        const float d = F16(b[i].d);
        for (int j = 0; j < QK; j++) y[j] = d * b[i].qs[j];
    }
}

// q2_K: each 128-element half uses 32 bytes of qs; bits 2k..2k+1 give elements 32k..32k+31 of the
// half; scale byte (low nibble: scale, high nibble: min) per 16 elements.
static void deq_q2_K(const block_q2_K *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = F16(b[i].d), dmin = F16(b[i].dmin);
        for (int half = 0; half < 2; half++) {
            const uint8_t *q = b[i].qs + 32 * half;
            for (int k = 0; k < 4; k++) {
                for (int s = 0; s < 2; s++) {
                    const uint8_t sc = b[i].scales[8 * half + 2 * k + s];
                    const float dl = d * (sc & 0x0f), ml = dmin * (sc >> 4);
                    for (int l = 0; l < 16; l++) *y++ = dl * ((q[16 * s + l] >> (2 * k)) & 3) - ml;
                }
            }
        }
    }
}

// q3_K: like q2_K for the low 2 bits; the third bit of element 128*half + 32k + l is bit 4*half + k
// of hmask[l]; a clear bit subtracts 4. Signed 6-bit scales per 16 elements.
static void deq_q3_K(const block_q3_K *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = F16(b[i].d);
        int8_t sc[16];
        unpack_q3_scales(b[i].scales, sc);
        for (int half = 0; half < 2; half++) {
            const uint8_t *q = b[i].qs + 32 * half;
            for (int k = 0; k < 4; k++) {
                const uint8_t m = (uint8_t)(1u << (4 * half + k));
                for (int s = 0; s < 2; s++) {
                    const float dl = d * sc[8 * half + 2 * k + s];
                    for (int l = 16 * s; l < 16 * s + 16; l++) {
                        const int v = ((q[l] >> (2 * k)) & 3) - ((b[i].hmask[l] & m) ? 0 : 4);
                        *y++ = dl * v;
                    }
                }
            }
        }
    }
}

// q4_K: four 64-element chunks; chunk c uses qs[32c..32c+31], low nibbles with scale/min 2c, high
// nibbles with 2c+1. q5_K adds a fifth bit: bit 2c of qh[l] for the low nibbles, bit 2c+1 for the high.
// Block i has d/dmin at dm + i*stride, scales, qs and (q5_K only, else NULL) qh likewise.
static void deq_k4(int64_t nb, size_t stride, const uint8_t *dm, const uint8_t *scales, const uint8_t *qh,
                   const uint8_t *qs, float *y) {
    for (int64_t i = 0; i < nb; i++) {
        const size_t o = (size_t)i * stride;
        uint16_t dh[2];
        memcpy(dh, dm + o, 4);
        const float d = F16(dh[0]), dmin = F16(dh[1]);
        uint8_t sc[8], mn[8];
        unpack_k4_scales(scales + o, sc, mn);
        for (int c = 0; c < 4; c++) {
            const uint8_t *q = qs + o + 32 * c;
            const float d1 = d * sc[2 * c], m1 = dmin * mn[2 * c];
            const float d2 = d * sc[2 * c + 1], m2 = dmin * mn[2 * c + 1];
            for (int l = 0; l < 32; l++) {
                const int h1 = qh ? ((qh[o + l] >> (2 * c)) & 1) << 4 : 0;
                const int h2 = qh ? ((qh[o + l] >> (2 * c + 1)) & 1) << 4 : 0;
                y[l] = d1 * ((q[l] & 0x0f) + h1) - m1;
                y[32 + l] = d2 * ((q[l] >> 4) + h2) - m2;
            }
            y += 64;
        }
    }
}

// q6_K: per 128-element half, ql[64] (low nibbles of elements l and l+32, high nibbles of l+64 and
// l+96) and qh[32] (2 bits each for l, l+32, l+64, l+96); value q - 32; int8 scale per 16.
static void deq_q6_K(const block_q6_K *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++) {
        const float d = F16(b[i].d);
        for (int half = 0; half < 2; half++) {
            const uint8_t *ql = b[i].ql + 64 * half, *qh = b[i].qh + 32 * half;
            const int8_t *sc = b[i].scales + 8 * half;
            for (int l = 0; l < 32; l++) {
                const int s = l / 16;
                const int q1 = ((ql[l] & 0x0f) | (((qh[l] >> 0) & 3) << 4)) - 32;
                const int q2 = ((ql[l + 32] & 0x0f) | (((qh[l] >> 2) & 3) << 4)) - 32;
                const int q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) - 32;
                const int q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) - 32;
                y[l] = d * sc[s] * q1;
                y[l + 32] = d * sc[s + 2] * q2;
                y[l + 64] = d * sc[s + 4] * q3;
                y[l + 96] = d * sc[s + 6] * q4;
            }
            y += 128;
        }
    }
}

static void deq_q8_K(const block_q8_K *b, float *y, int64_t nb) {
    for (int64_t i = 0; i < nb; i++, y += QK_K) {
        for (int j = 0; j < QK_K; j++) y[j] = b[i].d * b[i].qs[j];
    }
}

int loom_can_dequantize(uint32_t type) {
    switch (type) {
    case T_F32: case T_F16: case T_BF16: case T_Q4_0: case T_Q4_1: case T_Q5_0: case T_Q5_1:
    case T_Q8_0: case T_Q8_1: case T_Q2_K: case T_Q3_K: case T_Q4_K: case T_Q5_K: case T_Q6_K: case T_Q8_K:
        return 1;
    default:
        return 0;
    }
}

int loom_dequantize_scalar(uint32_t type, const void *src, float *y, int64_t n) {
    switch (type) {
    case T_F32: memcpy(y, src, (size_t)n * 4); return 0;
    case T_F16: {
        const uint16_t *h = src;
        for (int64_t i = 0; i < n; i++) y[i] = F16(h[i]);
        return 0;
    }
    case T_BF16: {
        const uint16_t *h = src;
        for (int64_t i = 0; i < n; i++) {
            uint32_t bits = (uint32_t)h[i] << 16;
            memcpy(y + i, &bits, 4);
        }
        return 0;
    }
    case T_Q4_0: deq_q4_0(src, y, n / QK); return 0;
    case T_Q4_1: deq_q4_1(src, y, n / QK); return 0;
    case T_Q5_0: deq_q5_0(src, y, n / QK); return 0;
    case T_Q5_1: deq_q5_1(src, y, n / QK); return 0;
    case T_Q8_0: deq_q8_0(src, y, n / QK); return 0;
    case T_Q8_1: deq_q8_1(src, y, n / QK); return 0;
    case T_Q2_K: deq_q2_K(src, y, n / QK_K); return 0;
    case T_Q3_K: deq_q3_K(src, y, n / QK_K); return 0;
    case T_Q4_K: {
        const block_q4_K *b = src;
        deq_k4(n / QK_K, sizeof(block_q4_K), (const uint8_t *)&b->d, b->scales, NULL, b->qs, y);
        return 0;
    }
    case T_Q5_K: {
        const block_q5_K *b = src;
        deq_k4(n / QK_K, sizeof(block_q5_K), (const uint8_t *)&b->d, b->scales, b->qh, b->qs, y);
        return 0;
    }
    case T_Q6_K: deq_q6_K(src, y, n / QK_K); return 0;
    case T_Q8_K: deq_q8_K(src, y, n / QK_K); return 0;
    default: return -1;
    }
}

int loom_dequantize(uint32_t type, const void *src, float *dst, int64_t count) {
    if (loom_simd_enabled()) {
        if (type == T_F16) {
            loom_f16_to_f32_avx2(src, dst, count);
            return 0;
        }
        if (loom_dequantize_avx2(type, src, dst, count) == 0) return 0;
    }
    return loom_dequantize_scalar(type, src, dst, count);
}
