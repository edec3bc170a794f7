// GEMM dispatch: argument checks, the trivial cases, then the kernel of the active ISA.
#include "dispatch/gemm.h"

#include <stdexcept>
#include <string>
#include <type_traits>
#include <algorithm>
#include <chrono>
#include <exception>
#include <vector>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "dispatch/isa.h"
#include "kernels/gemm/gemm_isa.h"
#include "kernels/nn/act.h"

namespace rp::dispatch {
namespace {

template <typename T>
void check(const kernels::GemmProblem<T>& p) {
    auto shape = [](int64_t r, int64_t c) { return "(" + std::to_string(r) + ", " + std::to_string(c) + ")"; };
    if (p.m < 0 || p.n < 0 || p.k < 0)
        throw std::invalid_argument("gemm: negative dimension m=" + std::to_string(p.m) + " n=" + std::to_string(p.n) + " k=" + std::to_string(p.k));
    const int64_t a_cols = p.trans_a ? p.m : p.k, b_cols = p.trans_b ? p.k : p.n;
    if (p.m && p.k && p.lda < std::max<int64_t>(a_cols, 1))
        throw std::invalid_argument("gemm: lda=" + std::to_string(p.lda) + " too small for A " + shape(p.trans_a ? p.k : p.m, a_cols));
    if (p.k && p.n && p.ldb < std::max<int64_t>(b_cols, 1))
        throw std::invalid_argument("gemm: ldb=" + std::to_string(p.ldb) + " too small for B " + shape(p.trans_b ? p.n : p.k, b_cols));
    if (p.m && p.n && p.ldc < p.n)
        throw std::invalid_argument("gemm: ldc=" + std::to_string(p.ldc) + " too small for C " + shape(p.m, p.n));
    if (p.pro.s && p.m && p.k && p.pro.lds < std::max<int64_t>(a_cols, 1))
        throw std::invalid_argument("gemm: lds=" + std::to_string(p.pro.lds) + " too small for S " + shape(p.trans_a ? p.k : p.m, a_cols));
    if (p.pro.s && p.pro.from_output && !kernels::act_invertible_from_output(p.pro.act, double(p.pro.slope)))
        throw std::invalid_argument("gemm: this activation's derivative cannot be computed from its output");
    if (p.ep.pre && p.m && p.n && p.ep.ldpre < p.n)
        throw std::invalid_argument("gemm: ldpre=" + std::to_string(p.ep.ldpre) + " too small for pre " + shape(p.m, p.n));
}

template <typename T>
void run(const kernels::GemmProblem<T>& p) {
    if constexpr (std::is_same_v<T, float>) {
        switch (active_isa()) {
#ifdef RP_HAVE_AVX512
            case Isa::avx512: return kernels::avx512::sgemm(p);
#endif
#ifdef RP_HAVE_AVX2
            case Isa::avx2: return kernels::avx2::sgemm(p);
#endif
            default: return kernels::baseline::sgemm(p);
        }
    } else {
        switch (active_isa()) {
#ifdef RP_HAVE_AVX512
            case Isa::avx512: return kernels::avx512::dgemm(p);
#endif
#ifdef RP_HAVE_AVX2
            case Isa::avx2: return kernels::avx2::dgemm(p);
#endif
            default: return kernels::baseline::dgemm(p);
        }
    }
}

// A checked problem: the empty cases, then the kernel.
template <typename T>
void compute(const kernels::GemmProblem<T>& p) {
    if (p.m == 0) return;
    if (p.n == 0) {  // no C, but the prologue's row sums are still wanted
        if (p.pro.row_sum) kernels::gemm_reference(p);
        return;
    }
    run(p);
}

}  // namespace

template <typename T>
void gemm(const kernels::GemmProblem<T>& p) {
    check(p);
    compute(p);
}

namespace {

// A pair step's two products, checked (GemmStep in gemm.h).
template <typename T>
void pair_checked(const kernels::GemmProblem<T>& p1, const kernels::GemmProblem<T>& p2) {
#ifdef _OPENMP
    // Pairing is what was measured (two cores); with more threads each product gets them all.
    constexpr int64_t kMinFlops = 1 << 16;  // below, a product is over before a thread wakes
    auto flops = [](const kernels::GemmProblem<T>& p) { return 2 * p.m * p.n * p.k; };
    if (omp_get_max_threads() == 2 && !omp_in_parallel() && flops(p1) >= kMinFlops && flops(p2) >= kMinFlops) {
        std::exception_ptr error[2];
#pragma omp parallel num_threads(2)
        for (int i = omp_get_thread_num(); i < 2; i += omp_get_num_threads()) {  // one thread granted: both
            try {
                compute(i == 0 ? p1 : p2);  // inside the team, each product runs on its caller alone
            } catch (...) {
                error[i] = std::current_exception();
            }
        }
        for (auto& e : error)
            if (e) std::rethrow_exception(e);
        return;
    }
#endif
    compute(p1);
    compute(p2);
}

}  // namespace

template <typename T>
void gemm_sequence(const std::vector<GemmStep<T>>& steps) {
    for (const GemmStep<T>& s : steps) {
        check(s.first);
        if (s.pair) check(s.second);
    }
    for (const GemmStep<T>& s : steps) {
        if (s.pair) pair_checked(s.first, s.second);
        else compute(s.first);
    }
}

template <typename T>
void gemm_reference(const kernels::GemmProblem<T>& p) {
    check(p);
    if (p.m == 0) return;
    kernels::gemm_reference(p);
}

double fma_peak_gflops(int threads) {
    if (threads < 1) throw std::invalid_argument("fma_peak_gflops: expected a positive number of threads, got " + std::to_string(threads));
    double (*probe)(int64_t, float*) = kernels::baseline::fma_flops;
#ifdef RP_HAVE_AVX2
    if (active_isa() == Isa::avx2) probe = kernels::avx2::fma_flops;
#endif
#ifdef RP_HAVE_AVX512
    if (active_isa() == Isa::avx512) probe = kernels::avx512::fma_flops;
#endif
    const int64_t iters = 4'000'000;  // ~10 ms per run at full speed
    std::vector<float> sink(64 * static_cast<size_t>(threads));
    double best = 0;
    for (int run = 0; run < 5; ++run) {
        double flops = 0;
        const auto t0 = std::chrono::steady_clock::now();
#pragma omp parallel for num_threads(threads) schedule(static, 1) reduction(+ : flops)
        for (int t = 0; t < threads; ++t) flops += probe(iters, sink.data() + 64 * t);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        best = std::max(best, flops / s / 1e9);
    }
    volatile float keep = sink[0];  // the probe's results are used: its loop cannot be dropped
    (void)keep;
    return best;
}

template void gemm<float>(const kernels::GemmProblem<float>&);
template void gemm<double>(const kernels::GemmProblem<double>&);
template void gemm_sequence<float>(const std::vector<GemmStep<float>>&);
template void gemm_sequence<double>(const std::vector<GemmStep<double>>&);
template void gemm_reference<float>(const kernels::GemmProblem<float>&);
template void gemm_reference<double>(const kernels::GemmProblem<double>&);

}  // namespace rp::dispatch
