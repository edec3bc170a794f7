// Entry points of the per-instruction-set GEMM builds; dispatch/ picks one at run time.
#pragma once
#include "kernels/gemm/gemm.h"

namespace rp::kernels {
#define RP_DECLARE_GEMM(isa)                          \
    namespace isa {                                   \
    void sgemm(const GemmProblem<float>& p);          \
    void dgemm(const GemmProblem<double>& p);         \
    double fma_flops(int64_t iters, float* sink);     \
    }
RP_DECLARE_GEMM(baseline)
RP_DECLARE_GEMM(avx2)
RP_DECLARE_GEMM(avx512)
#undef RP_DECLARE_GEMM
}  // namespace rp::kernels
