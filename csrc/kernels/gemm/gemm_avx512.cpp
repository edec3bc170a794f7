// GEMM compiled for the avx512 instruction set (flags set per file in CMakeLists.txt): the shared
// blocked driver over this set's register-tiled micro-kernels (float 12x32, double 12x16).
#define RP_ISA avx512
#include "kernels/gemm/gemm_isa.h"
#include "kernels/gemm/gemm_simd_avx512.h"
#include "kernels/nn/act.h"

namespace rp::kernels::avx512 {
// The activation kernels have no AVX-512 copy: a CPU with AVX-512 runs the AVX2 ones (the GEMM's
// prologue and epilogue call them unqualified from this namespace).
using avx2::act_backward;
using avx2::act_backward_from_output;
using avx2::act_forward;
}  // namespace rp::kernels::avx512

#include "kernels/gemm/gemm_driver.h"
#include "kernels/gemm/fma_peak.h"

namespace rp::kernels::avx512 {

using ukernel_avx512_12x32 = MicroKernel<VecF32, 12, 2>;
using ukernel_avx512_12x16 = MicroKernel<VecF64, 12, 2>;

// MC, KC per type: an MC x KC block of A (about 240 KiB) in the L2, a KC x NR panel of B in L1.
void sgemm(const GemmProblem<float>& p) { GemmDriver<ukernel_avx512_12x32, 240, 256>::run(p); }
void dgemm(const GemmProblem<double>& p) { GemmDriver<ukernel_avx512_12x16, 120, 256>::run(p); }

double fma_flops(int64_t iters, float* sink) { return fma_probe(iters, sink); }

}  // namespace rp::kernels::avx512
