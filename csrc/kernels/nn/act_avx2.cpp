// Activation kernels for AVX2+FMA (flags set per file in CMakeLists.txt): 32-byte vectors.
#define RP_ISA avx2
#define RP_VBYTES 32
#include "kernels/nn/act_rules.h"
