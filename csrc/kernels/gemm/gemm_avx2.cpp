// GEMM compiled for the avx2 instruction set (flags set per file in CMakeLists.txt): the shared
// blocked driver over this set's register-tiled micro-kernels (float 4x24, double 4x12).
#define RP_ISA avx2
#include "kernels/gemm/gemm_isa.h"
#include "kernels/gemm/gemm_simd_avx2.h"
#include "kernels/gemm/gemm_driver.h"
#include "kernels/gemm/fma_peak.h"

namespace rp::kernels::avx2 {

using ukernel_avx2_4x24 = MicroKernel<VecF32, 4, 3>;
using ukernel_avx2_4x12 = MicroKernel<VecF64, 4, 3>;

// MC, KC per type (Zen 3 class: 32 KiB L1, 512 KiB L2). MC 256 measured 3-8 % faster than 144 on
// 256..512-row products. Float KC 512 beats 256 although a KC x NR panel of B (48 KiB) no longer
// fits L1 and an A block fills L2: fewer K blocks mean fewer read-modify-writes of each C tile and
// fewer tile starts, and L2 feeds the panel fast enough (in-process A/B, 6 rounds: 512x512x784
// +4 %, 512^3 +5 %, 1024^3 +3-4 %, 32x512x784 +5 %; 128/512, 256/768 and 384/512 no better).
void sgemm(const GemmProblem<float>& p) { GemmDriver<ukernel_avx2_4x24, 256, 512>::run(p); }
void dgemm(const GemmProblem<double>& p) { GemmDriver<ukernel_avx2_4x12, 128, 256>::run(p); }

double fma_flops(int64_t iters, float* sink) { return fma_probe(iters, sink); }

}  // namespace rp::kernels::avx2
