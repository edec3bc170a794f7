// GEMM compiled for the avx512 instruction set (flags set per file in CMakeLists.txt).
#define RP_ISA avx512
#include "kernels/gemm/gemm_blocked.h"
#include "kernels/gemm/gemm_isa.h"

namespace rp::kernels::avx512 {
void sgemm(const GemmProblem<float>& p) { gemm_blocked<float>(p); }
void dgemm(const GemmProblem<double>& p) { gemm_blocked<double>(p); }
}  // namespace rp::kernels::avx512
