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

// MC, KC per type: L1d 32 KiB, L2 512 KiB per core (Zen 3 class).
void sgemm(const GemmProblem<float>& p) { GemmDriver<ukernel_avx2_4x24, 144, 256>::run(p); }
void dgemm(const GemmProblem<double>& p) { GemmDriver<ukernel_avx2_4x12, 72, 256>::run(p); }

double fma_flops(int64_t iters, float* sink) { return fma_probe(iters, sink); }

}  // namespace rp::kernels::avx2
