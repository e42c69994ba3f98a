// The multi-token dot products behind loom_matmul_rows (internal to CKernels).
#ifndef LOOM_MATMUL_H
#define LOOM_MATMUL_H

#include <stdint.h>

/// Tokens per multi-token dot product.
#define NT 4

/// out[t] = row x (n,) · activation row vy[t] (n,) for t < NT, each bit-identical to the one-token dot.
typedef void (*loom_dot4_fn)(int64_t n, const void *vx, const void *const vy[NT], float out[NT]);

/// The AVX2 multi-token dot for `type`, or NULL.
loom_dot4_fn loom_dot4_avx2(uint32_t type);

/// dst = x (count,) quantized to q8_K or q8_0 with AVX2, identical to the scalar code; 0 if done,
/// -1 if not handled (other type or no AVX2).
int loom_quantize_avx2(uint32_t vec_type, const float *x, void *dst, int64_t count);

#endif
