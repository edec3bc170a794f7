// GEMM compiled for the avx2 instruction set (flags set per file in CMakeLists.txt).
#define RP_ISA avx2
#include "kernels/gemm/gemm_blocked.h"
#include "kernels/gemm/gemm_isa.h"

namespace rp::kernels::avx2 {
void sgemm(const GemmProblem<float>& p) { gemm_blocked<float>(p); }
void dgemm(const GemmProblem<double>& p) { gemm_blocked<double>(p); }
}  // namespace rp::kernels::avx2
