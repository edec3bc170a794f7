// Activation kernels for the portable baseline: 16-byte vectors (SSE2 on x86-64, the
// compiler's default SIMD elsewhere).
#define RP_ISA baseline
#define RP_VBYTES 16
#include "kernels/nn/act_rules.h"
