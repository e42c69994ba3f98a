// The panel layout of repacked q4_K weights (internal to CKernels; see q4k_panels.c).
#ifndef LOOM_Q4K_PANELS_H
#define LOOM_Q4K_PANELS_H

#include <stdint.h>

/// One super-block (256 columns) of 8 consecutive q4_K rows.
typedef struct {
    uint16_t d[8];           // f16 super-block scale of row r
    uint16_t dmin[8];        // f16 super-block min scale of row r
    uint8_t scales[8][8];    // [sub-block j][row r]: 6-bit scale
    uint8_t mins[4][16];     // [sub-block pair p][2r + s]: 6-bit min of sub-block 2p + s, row r
    uint8_t qs[8][4][32];    // [sub-block j][v][4r + e]: element 4v + e of sub-block j (low nibble),
                             // element 16 + 4v + e (high nibble), row r
} block_q4_Kx8;

_Static_assert(sizeof(block_q4_Kx8) == 1184, "q4_K x8 panel");

#endif
