// GEMM entry point: checks a problem and routes it to the active instruction set's kernel.
#pragma once
#include "kernels/gemm/gemm.h"

namespace rp::dispatch {

// Throws std::invalid_argument (message names "gemm" and the shapes) for an inconsistent
// problem; otherwise computes it. Safe to call without the GIL.
template <typename T>
void gemm(const kernels::GemmProblem<T>& p);

// The reference kernel, behind the same checks (the oracle for tests).
template <typename T>
void gemm_reference(const kernels::GemmProblem<T>& p);

// Measured float FMA throughput of the active instruction set on `threads` threads, in GFLOP/s
// (best of a few short runs): the benchmarks' "peak" for a fraction-of-peak figure.
double fma_peak_gflops(int threads);

}  // namespace rp::dispatch
