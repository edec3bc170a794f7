// Goto/BLIS blocked GEMM driver, written once and compiled per instruction set: gemm_<isa>.cpp
// defines RP_ISA (its namespace), includes its SIMD traits, then this file, and instantiates
// GemmDriver with its micro-kernel and block sizes. Everything lives in rp::kernels::RP_ISA so no
// inline function compiled for one instruction set can be merged by the linker into another's.
//
// Two paths, chosen by shape only (never by thread count, so results are bit-identical for any
// number of threads; K is never split across threads):
//  - blocked: pack a KC x NC block of op(B) (shared, all threads) and MC x KC blocks of op(A)
//    (per thread), loop NR panels x MR panels over them (large M);
//  - small (M <= 2 MC): no block packing. A is broadcast straight from memory in either layout;
//    one KC x NR panel of B is packed per thread and reused for every row of its part of C.
//    Threads share C by columns or rows, whichever keeps them busy (e.g. M = 32, or N = 10).
#ifndef RP_ISA
#error "define RP_ISA (the instruction-set namespace) before including gemm_driver.h"
#endif
#include <cstdint>
#include <cstdlib>
#include <new>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "kernels/gemm/gemm.h"
#include "kernels/gemm/gemm_pack.h"
#include "kernels/gemm/gemm_ukernel.h"

namespace rp::kernels::RP_ISA {

// n split into equal blocks of at most bmax, each rounded up to a multiple of q.
inline int64_t even_block(int64_t n, int64_t bmax, int64_t q) { return round_up(ceil_div(n, ceil_div(n, bmax)), q); }

inline int max_threads(int64_t flops) {
#ifdef _OPENMP
    if (omp_in_parallel()) return 1;
    const int64_t per_thread = 1 << 18;  // below this a fork/join costs more than it saves
    return static_cast<int>(imax(1, imin(omp_get_max_threads(), flops / per_thread)));
#else
    return 1;
#endif
}

inline int thread_id() {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

// Split of an rp x cp grid of panels among nt threads as rc row chunks x cc column chunks
// (rc * cc == nt) with the smallest per-thread load; ties prefer splitting columns.
struct Split {
    int64_t rc, cc;
};
inline Split best_split(int64_t rp, int64_t cp, int nt) {
    Split best{1, nt};
    int64_t best_load = -1;
    for (int64_t rc = 1; rc <= nt; ++rc) {
        if (nt % rc) continue;
        const int64_t cc = nt / rc, load = ceil_div(rp, rc) * ceil_div(cp, cc);
        if (best_load < 0 || load < best_load) best = {rc, cc}, best_load = load;
    }
    return best;
}
inline int64_t chunk_begin(int64_t n, int64_t parts, int64_t i) { return n * i / parts; }

// UK: the micro-kernel (gemm_ukernel.h). MC, KC, NC: cache block sizes of this instruction set
// and type (MC a multiple of MR): MC x KC of A fits a core's L2, KC x NR of B its L1, KC x NC of
// B the shared L3.
template <class UK, int64_t MC, int64_t KC, int64_t NC>
class GemmDriver {
    using T = typename UK::T;
    static constexpr int64_t MR = UK::MR, NR = UK::NR;

   public:
    static void run(const GemmProblem<T>& p) {
        if (p.m == 0 || p.n == 0) return;
        if (p.k == 0) return scale_only(p);
        const View<T> a = p.trans_a ? View<T>{p.a, 1, p.lda} : View<T>{p.a, p.lda, 1};
        const View<T> b = p.trans_b ? View<T>{p.b, 1, p.ldb} : View<T>{p.b, p.ldb, 1};
        const int64_t kc = even_block(p.k, KC, 4);
        if (p.m <= 2 * MC) small(p, a, b, kc);
        else blocked(p, a, b, kc);
    }

   private:
    static TileOut<T> tile_out(const GemmProblem<T>& p, int64_t pc, int64_t kcur, int64_t j) {
        return {p.alpha, p.beta, pc == 0, pc + kcur >= p.k, p.ep.bias ? p.ep.bias + j : nullptr, p.ep.act, p.ep.slope};
    }

    // K == 0: C = beta * C, then bias and activation.
    static void scale_only(const GemmProblem<T>& p) {
        alignas(64) T zeros[NR] = {};
        for (int64_t j = 0; j < p.n; j += NR) store_tile_scalar(zeros, 0, p.c + j, p.ldc, p.m, imin(NR, p.n - j), tile_out(p, 0, 0, j));
    }

    static void small(const GemmProblem<T>& p, View<T> a, View<T> b, int64_t kc) {
        const int64_t rp = ceil_div(p.m, MR), cp = ceil_div(p.n, NR);
        const int nt = max_threads(2 * p.m * p.n * p.k);
        // A few items per thread, handed out dynamically, so a thread the OS preempts (a busy
        // machine) holds up little; which thread computes a tile never changes its bits.
        const Split s = nt == 1 ? Split{1, 1} : best_split(rp, cp, 4 * nt);
        const int64_t per_thread = round_up(kc * (NR + MR), 64);
        T* buf = scratch(0).get<T>(nt * per_thread);
#pragma omp parallel for num_threads(nt) schedule(dynamic, 1) if (nt > 1)
        for (int64_t item = 0; item < s.rc * s.cc; ++item) {
            const int64_t r = item / s.cc, cc = item % s.cc;
            small_part(p, a, b, kc, chunk_begin(rp, s.rc, r), chunk_begin(rp, s.rc, r + 1), chunk_begin(cp, s.cc, cc),
                       chunk_begin(cp, s.cc, cc + 1), buf + thread_id() * per_thread);
        }
    }

    // Row panels [ip0, ip1) x column panels [jp0, jp1) of C on one thread.
    static void small_part(const GemmProblem<T>& p, View<T> a, View<T> b, int64_t kc, int64_t ip0, int64_t ip1, int64_t jp0,
                           int64_t jp1, T* buf) {
        T* bpanel = buf;
        T* asliver = buf + kc * NR;
        const int64_t m_full = p.m / MR;  // row panels that need no padding
        for (int64_t pc = 0; pc < p.k; pc += kc) {
            const int64_t kcur = imin(kc, p.k - pc);
            if (ip1 > m_full) pack_a_panel<MR>(View<T>{a.at(m_full * MR, pc), a.rs, a.cs}, p.m - m_full * MR, kcur, asliver);
            for (int64_t jp = jp0; jp < jp1; ++jp) {
                const int64_t j = jp * NR, nr = imin(NR, p.n - j);
                // Packed even when B rows are contiguous: a KC x NR panel read in place at a
                // power-of-two row stride would thrash a few L1 sets.
                pack_b_panel<typename UK::Vec, NR>(View<T>{b.at(pc, j), b.rs, b.cs}, kcur, nr, bpanel);
                const TileOut<T> o = tile_out(p, pc, kcur, j);
                for (int64_t ip = ip0; ip < ip1; ++ip) {
                    const int64_t i = ip * MR;
                    T* c = p.c + i * p.ldc + j;
                    if (ip >= m_full) UK::template run<true>(kcur, asliver, 1, MR, bpanel, NR, c, p.ldc, p.m - i, nr, o);
                    else if (a.rs == 1) UK::template run<true>(kcur, a.at(i, pc), 1, a.cs, bpanel, NR, c, p.ldc, MR, nr, o);
                    else UK::template run<false>(kcur, a.at(i, pc), a.rs, a.cs, bpanel, NR, c, p.ldc, MR, nr, o);
                }
            }
        }
    }

    static void blocked(const GemmProblem<T>& p, View<T> a, View<T> b, int64_t kc) {
        const int64_t mc = even_block(p.m, MC, MR), nc = even_block(p.n, NC, NR);
        const int nt = max_threads(2 * p.m * p.n * p.k);
        const int64_t mblocks = ceil_div(p.m, mc);
        const int64_t cc = mblocks % nt == 0 ? 1 : nt;  // split columns too when row blocks don't share evenly
        const int64_t b_size = nc * kc, a_size = mc * kc;
        T* buf = scratch(0).get<T>(b_size + nt * a_size);
#pragma omp parallel num_threads(nt) if (nt > 1)
        {
            T* pa = buf + b_size + thread_id() * a_size;
            for (int64_t jc = 0; jc < p.n; jc += nc) {
                const int64_t ncur = imin(nc, p.n - jc), cp = ceil_div(ncur, NR);
                for (int64_t pc = 0; pc < p.k; pc += kc) {
                    const int64_t kcur = imin(kc, p.k - pc);
#pragma omp for schedule(dynamic, 4)
                    for (int64_t jp = 0; jp < cp; ++jp)
                        pack_b_panel<typename UK::Vec, NR>(View<T>{b.at(pc, jc + jp * NR), b.rs, b.cs}, kcur, imin(NR, ncur - jp * NR), buf + jp * NR * kcur);
                    int64_t packed = -1;  // the row block now in pa
#pragma omp for schedule(dynamic, 1)
                    for (int64_t item = 0; item < mblocks * cc; ++item) {
                        const int64_t ib = item / cc, ch = item % cc, ic = ib * mc, mcur = imin(mc, p.m - ic);
                        if (ib != packed) {
                            for (int64_t i = 0; i < mcur; i += MR)
                                pack_a_panel<MR>(View<T>{a.at(ic + i, pc), a.rs, a.cs}, imin(MR, mcur - i), kcur, pa + i * kcur);
                            packed = ib;
                        }
                        for (int64_t jp = chunk_begin(cp, cc, ch); jp < chunk_begin(cp, cc, ch + 1); ++jp) {
                            const int64_t j = jc + jp * NR, nr = imin(NR, p.n - j);
                            const TileOut<T> o = tile_out(p, pc, kcur, j);
                            for (int64_t i = 0; i < mcur; i += MR)
                                UK::template run<true>(kcur, pa + i * kcur, 1, MR, buf + jp * NR * kcur, NR, p.c + (ic + i) * p.ldc + j, p.ldc,
                                                       imin(MR, mcur - i), nr, o);
                        }
                    }
                }
            }
        }
    }
};

}  // namespace rp::kernels::RP_ISA
