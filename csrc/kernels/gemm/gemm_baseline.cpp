// GEMM compiled for the baseline instruction set (flags set per file in CMakeLists.txt): the shared
// blocked driver over this set's register-tiled micro-kernels (float 4x8, double 4x4).
#define RP_ISA baseline
#include "kernels/gemm/gemm_isa.h"
#include "kernels/gemm/gemm_simd_portable.h"
#include "kernels/gemm/gemm_driver.h"
#include "kernels/gemm/fma_peak.h"

namespace rp::kernels::baseline {

using ukernel_baseline_4x8 = MicroKernel<VecF32, 4, 2>;
using ukernel_baseline_4x4 = MicroKernel<VecF64, 4, 2>;

// MC, KC per type: L1d 32 KiB, L2 512 KiB per core (Zen 3 class).
void sgemm(const GemmProblem<float>& p) { GemmDriver<ukernel_baseline_4x8, 128, 256>::run(p); }
void dgemm(const GemmProblem<double>& p) { GemmDriver<ukernel_baseline_4x4, 64, 256>::run(p); }

double fma_flops(int64_t iters, float* sink) { return fma_probe(iters, sink); }

}  // namespace rp::kernels::baseline
