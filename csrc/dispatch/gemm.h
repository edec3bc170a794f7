// GEMM entry point: checks a problem and routes it to the active instruction set's kernel.
#pragma once
#include <vector>

#include "kernels/gemm/gemm.h"

namespace rp::dispatch {

// Throws std::invalid_argument (message names "gemm" and the shapes) for an inconsistent
// problem; otherwise computes it. Safe to call without the GIL.
template <typename T>
void gemm(const kernels::GemmProblem<T>& p);

// One step of gemm_sequence: a product, or a pair of independent ones (no output of one is read
// or written by the other), e.g. a Linear layer's dX and dW. With exactly two threads a pair runs
// at once, one product per thread, each on its own thread's scratch: one fork/join instead of
// two, and no splitting of either product, which leaves small products (a batch of 32 or 128, a
// 10-wide head) more of each core. Otherwise, and when either is too small to be worth a
// thread, they run one after the other. Either way the bits are those of two gemm() calls (no
// kernel's result depends on its thread count).
template <typename T>
struct GemmStep {
    kernels::GemmProblem<T> first, second;
    bool pair = false;
};

// Steps in order, a later one free to read what an earlier one wrote (a chain of layers'
// forward or backward GEMMs), every product checked before the first runs: one call with no
// interpreter between the products, whose data the products' own streaming would have evicted
// from the caches (after a batch-512 GEMM the Python between two layers ran 5-10x slower).
template <typename T>
void gemm_sequence(const std::vector<GemmStep<T>>& steps);

// The reference kernel, behind the same checks (the oracle for tests).
template <typename T>
void gemm_reference(const kernels::GemmProblem<T>& p);

// Measured float FMA throughput of the active instruction set on `threads` threads, in GFLOP/s
// (best of a few short runs): the benchmarks' "peak" for a fraction-of-peak figure.
double fma_peak_gflops(int threads);

}  // namespace rp::dispatch
