// Goto/BLIS-style blocked GEMM, written once and compiled once per instruction set: each
// kernels/gemm/gemm_<isa>.cpp defines RP_ISA (the namespace) and includes this file with its
// own compiler flags, so the same loops become SSE2, AVX2+FMA or AVX-512 code.
// Everything here lives in rp::kernels::RP_ISA so that no inline function compiled for one
// instruction set can be merged by the linker into another's code.
#ifndef RP_ISA
#error "define RP_ISA (the instruction-set namespace) before including gemm_blocked.h"
#endif
#include <algorithm>
#include <cstdint>
#include <cstdlib>

#include "kernels/gemm/gemm.h"

namespace rp::kernels::RP_ISA {

// Block sizes: data, not literals in loops (BLIS). Chosen for a 32 KiB L1d / 512 KiB L2.
template <typename T>
struct Blocking {
    static constexpr int64_t MR = 6;
    static constexpr int64_t NR = 64 / sizeof(T) * 2 / 2;  // two cache lines wide
    static constexpr int64_t KC = 256;
    static constexpr int64_t MC = 72;
    static constexpr int64_t NC = 4080;
};

template <typename T, int64_t MR, int64_t NR>
static inline void micro_kernel(int64_t kc, const T* __restrict pa, const T* __restrict pb, T acc[MR][NR]) {
    for (int64_t p = 0; p < kc; ++p) {
        for (int64_t i = 0; i < MR; ++i) {
            const T a = pa[p * MR + i];
            for (int64_t j = 0; j < NR; ++j) acc[i][j] += a * pb[p * NR + j];
        }
    }
}

template <typename T>
static void gemm_blocked(const GemmProblem<T>& prob) {
    using B = Blocking<T>;
    constexpr int64_t MR = B::MR, NR = B::NR;
    const int64_t m = prob.m, n = prob.n, k = prob.k;
    auto a_at = [&](int64_t i, int64_t p) { return prob.trans_a ? prob.a[p * prob.lda + i] : prob.a[i * prob.lda + p]; };
    auto b_at = [&](int64_t p, int64_t j) { return prob.trans_b ? prob.b[j * prob.ldb + p] : prob.b[p * prob.ldb + j]; };

    for (int64_t jc = 0; jc < n; jc += B::NC) {
        const int64_t nc = std::min(B::NC, n - jc);
        for (int64_t pc = 0; pc < std::max<int64_t>(k, 1); pc += B::KC) {
            const int64_t kc = std::min(B::KC, k - pc);
            const bool first = pc == 0, last = pc + B::KC >= k;
            const int64_t npanels = (nc + NR - 1) / NR;
            T* pb = static_cast<T*>(std::aligned_alloc(64, sizeof(T) * ((npanels * NR * std::max<int64_t>(kc, 1) + 15) / 16 * 16)));
            for (int64_t jp = 0; jp < npanels; ++jp)
                for (int64_t p = 0; p < kc; ++p)
                    for (int64_t j = 0; j < NR; ++j) {
                        const int64_t jj = jc + jp * NR + j;
                        pb[(jp * kc + p) * NR + j] = jj < n ? b_at(pc + p, jj) : T(0);
                    }
            const int64_t nblocks = (m + B::MC - 1) / B::MC;
#pragma omp parallel for schedule(static)
            for (int64_t ib = 0; ib < nblocks; ++ib) {
                const int64_t ic = ib * B::MC, mc = std::min(B::MC, m - ic);
                alignas(64) T pa[B::MC * B::KC];
                const int64_t mpanels = (mc + MR - 1) / MR;
                for (int64_t ip = 0; ip < mpanels; ++ip)
                    for (int64_t p = 0; p < kc; ++p)
                        for (int64_t i = 0; i < MR; ++i) {
                            const int64_t ii = ic + ip * MR + i;
                            pa[(ip * kc + p) * MR + i] = ii < m ? a_at(ii, pc + p) : T(0);
                        }
                for (int64_t jp = 0; jp < npanels; ++jp) {
                    for (int64_t ip = 0; ip < mpanels; ++ip) {
                        alignas(64) T acc[MR][NR] = {};
                        micro_kernel<T, MR, NR>(kc, pa + ip * kc * MR, pb + jp * kc * NR, acc);
                        for (int64_t i = 0; i < MR; ++i) {
                            const int64_t ii = ic + ip * MR + i;
                            if (ii >= m) break;
                            for (int64_t j = 0; j < NR; ++j) {
                                const int64_t jj = jc + jp * NR + j;
                                if (jj >= n) break;
                                T& c = prob.c[ii * prob.ldc + jj];
                                T v = prob.alpha * acc[i][j];
                                if (first) v += prob.beta == T(0) ? T(0) : prob.beta * c;
                                else v += c;
                                if (last) {
                                    if (prob.ep.bias) v += prob.ep.bias[jj];
                                    v = act_forward(prob.ep.act, v, prob.ep.slope);
                                }
                                c = v;
                            }
                        }
                    }
                }
            }
            std::free(pb);
            if (k == 0) break;
        }
    }
}

}  // namespace rp::kernels::RP_ISA
