// ggml block layouts (ggml-common.h) and conversions shared by the kernel files.
#ifndef LOOM_BLOCKS_H
#define LOOM_BLOCKS_H

#include <stdint.h>
#include <string.h>
#include "ckernels.h"

enum {
    T_F32 = 0, T_F16 = 1, T_Q4_0 = 2, T_Q4_1 = 3, T_Q5_0 = 6, T_Q5_1 = 7, T_Q8_0 = 8, T_Q8_1 = 9,
    T_Q2_K = 10, T_Q3_K = 11, T_Q4_K = 12, T_Q5_K = 13, T_Q6_K = 14, T_Q8_K = 15, T_BF16 = 30,
};

#define QK 32     // elements per legacy block
#define QK_K 256  // elements per K-quant super-block

// Legacy blocks: 32 elements, scale d (and min m) in f16. Element j < 16 is the low nibble of qs[j],
// element j + 16 its high nibble; the fifth bit of element j (q5_*) is bit j of qh.
typedef struct { uint16_t d; uint8_t qs[16]; } block_q4_0;                 // x = d * (q - 8)
typedef struct { uint16_t d, m; uint8_t qs[16]; } block_q4_1;              // x = d * q + m
typedef struct { uint16_t d; uint8_t qh[4]; uint8_t qs[16]; } block_q5_0;  // x = d * (q - 16)
typedef struct { uint16_t d, m; uint8_t qh[4]; uint8_t qs[16]; } block_q5_1; // x = d * q + m
typedef struct { uint16_t d; int8_t qs[32]; } block_q8_0;                  // x = d * q
typedef struct { uint16_t d, s; int8_t qs[32]; } block_q8_1;               // s = d * sum(q)

// K-quants: 256-element super-blocks of sub-blocks with their own quantized scales.
typedef struct { uint8_t scales[16]; uint8_t qs[64]; uint16_t d, dmin; } block_q2_K;   // 16 x 16, 2 bits
typedef struct { uint8_t hmask[32]; uint8_t qs[64]; uint8_t scales[12]; uint16_t d; } block_q3_K; // 16 x 16
typedef struct { uint16_t d, dmin; uint8_t scales[12]; uint8_t qs[128]; } block_q4_K;  // 8 x 32, 6-bit scales
typedef struct { uint16_t d, dmin; uint8_t scales[12]; uint8_t qh[32]; uint8_t qs[128]; } block_q5_K;
typedef struct { uint8_t ql[128]; uint8_t qh[64]; int8_t scales[16]; uint16_t d; } block_q6_K; // 16 x 16
typedef struct { float d; int8_t qs[256]; int16_t bsums[16]; } block_q8_K;  // bsums: sums of 16 qs

_Static_assert(sizeof(block_q4_0) == 18, "q4_0");
_Static_assert(sizeof(block_q4_1) == 20, "q4_1");
_Static_assert(sizeof(block_q5_0) == 22, "q5_0");
_Static_assert(sizeof(block_q5_1) == 24, "q5_1");
_Static_assert(sizeof(block_q8_0) == 34, "q8_0");
_Static_assert(sizeof(block_q8_1) == 36, "q8_1");
_Static_assert(sizeof(block_q2_K) == 84, "q2_K");
_Static_assert(sizeof(block_q3_K) == 110, "q3_K");
_Static_assert(sizeof(block_q4_K) == 144, "q4_K");
_Static_assert(sizeof(block_q5_K) == 176, "q5_K");
_Static_assert(sizeof(block_q6_K) == 210, "q6_K");
_Static_assert(sizeof(block_q8_K) == 292, "q8_K");

#define F16(h) loom_fp16_to_fp32(h)

/// The 6-bit scales and mins of q4_K/q5_K: sc[0..7] and mn[0..7] from the 12 packed bytes.
/// Bytes 0-3: low 6 bits of sc0-3 (top 2 bits: high bits of sc4-7); bytes 4-7: the same for mn;
/// bytes 8-11: low nibble sc4-7, high nibble mn4-7.
static inline void unpack_k4_scales(const uint8_t *q, uint8_t sc[8], uint8_t mn[8]) {
    uint32_t u[3];
    memcpy(u, q, 12);
    uint32_t s[2], m[2];
    s[0] = u[0] & 0x3f3f3f3fu;
    m[0] = u[1] & 0x3f3f3f3fu;
    s[1] = (u[2] & 0x0f0f0f0fu) | (((u[0] >> 6) & 0x03030303u) << 4);
    m[1] = ((u[2] >> 4) & 0x0f0f0f0fu) | (((u[1] >> 6) & 0x03030303u) << 4);
    memcpy(sc, s, 8);
    memcpy(mn, m, 8);
}

/// The 16 signed 6-bit scales of q3_K (already minus 32). Scale j: low 4 bits in byte j % 8
/// (nibble j / 8), high 2 bits in byte 8 + j % 4 (bits 2 * (j / 4)).
static inline void unpack_q3_scales(const uint8_t *q, int8_t out[16]) {
    uint32_t a[3], r[4];
    memcpy(a, q, 12);
    r[0] = (a[0] & 0x0f0f0f0fu) | (((a[2] >> 0) & 0x03030303u) << 4);
    r[1] = (a[1] & 0x0f0f0f0fu) | (((a[2] >> 2) & 0x03030303u) << 4);
    r[2] = ((a[0] >> 4) & 0x0f0f0f0fu) | (((a[2] >> 4) & 0x03030303u) << 4);
    r[3] = ((a[1] >> 4) & 0x0f0f0f0fu) | (((a[2] >> 6) & 0x03030303u) << 4);
    uint8_t u8[16];
    memcpy(u8, r, 16);
    for (int j = 0; j < 16; j++) out[j] = (int8_t)(u8[j] - 32);
}

// Dot products of one row: n elements of weights (vx) with activations (vy) in the paired format.
typedef float (*loom_dot_fn)(int64_t n, const void *vx, const void *vy);

loom_dot_fn loom_dot_avx2(uint32_t type);
float loom_dot_scalar(uint32_t type, int64_t n, const void *vx, const void *vy);
int loom_dequantize_scalar(uint32_t type, const void *src, float *dst, int64_t count);
void loom_f16_to_f32_avx2(const uint16_t *src, float *dst, int64_t count);
int loom_dequantize_avx2(uint32_t type, const void *src, float *dst, int64_t count); // -1: not handled
int loom_cpu_has_avx2(void);

#endif
