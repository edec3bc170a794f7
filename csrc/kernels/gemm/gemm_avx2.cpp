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

// MC, KC per type: an MC x KC block of A (256 KiB) in a 512 KiB L2, a KC x NR panel of B in the
// 32 KiB L1 (Zen 3 class). MC 256 measured 3-8% faster than 144 on 256..512-row products.
void sgemm(const GemmProblem<float>& p) { GemmDriver<ukernel_avx2_4x24, 256, 256>::run(p); }
void dgemm(const GemmProblem<double>& p) { GemmDriver<ukernel_avx2_4x12, 128, 256>::run(p); }

double fma_flops(int64_t iters, float* sink) { return fma_probe(iters, sink); }

}  // namespace rp::kernels::avx2
