// GEMM compiled for the baseline instruction set (flags set per file in CMakeLists.txt).
#define RP_ISA baseline
#include "kernels/gemm/gemm_blocked.h"
#include "kernels/gemm/gemm_isa.h"

namespace rp::kernels::baseline {
void sgemm(const GemmProblem<float>& p) { gemm_blocked<float>(p); }
void dgemm(const GemmProblem<double>& p) { gemm_blocked<double>(p); }
}  // namespace rp::kernels::baseline
