// Goto/BLIS blocked GEMM driver, written once and compiled per instruction set: gemm_<isa>.cpp
// defines RP_ISA (its namespace), includes its SIMD traits, then this file, and instantiates
// GemmDriver with its micro-kernel and block sizes. Everything lives in rp::kernels::RP_ISA so no
// inline function compiled for one instruction set can be merged by the linker into another's.
//
// Blocking is chosen by shape only, never by thread count, and K is never split across threads,
// so every tile's arithmetic, and so the result's bits, are the same for any number of threads.
#ifndef RP_ISA
#error "define RP_ISA (the instruction-set namespace) before including gemm_driver.h"
#endif
#include <cstdint>
#include <cstdlib>
#include <new>
#include <thread>
#include <type_traits>
#ifdef _OPENMP
#include <omp.h>
#endif

#include "kernels/gemm/gemm.h"
#include "kernels/gemm/gemm_pack.h"
#include "kernels/nn/act.h"
#include "kernels/gemm/gemm_ukernel.h"
#include "kernels/gemm/gemm_dot.h"

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

// Returns once *flag >= value (acquire: what its writer did before is visible). Spins with a
// pause first (the wait is short when every thread has a core), then yields the core, so that
// with more threads than cores the thread being waited for gets to run.
inline void wait_until_at_least(const int64_t* flag, int64_t value) {
    for (int spins = 0; __atomic_load_n(flag, __ATOMIC_ACQUIRE) < value; ++spins) {
        if (spins < (1 << 10)) {
#if defined(__x86_64__) || defined(__i386__)
            __builtin_ia32_pause();
#elif defined(__aarch64__)
            asm volatile("yield");
#endif
        } else {
            std::this_thread::yield();
        }
    }
}

inline bool more_threads_than_cores(int nt) {
#ifdef _OPENMP
    return nt > omp_get_num_procs();
#else
    return false;
#endif
}

inline int thread_id() {
#ifdef _OPENMP
    return omp_get_thread_num();
#else
    return 0;
#endif
}

inline int team_size() {
#ifdef _OPENMP
    return omp_get_num_threads();
#else
    return 1;
#endif
}

// Split of an rp x cp grid of blocks among nt threads as rc row chunks x cc column chunks
// (rc * cc == nt) with the smallest per-thread load; among equal loads, more column chunks.
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

// Runs f(r0, r1, c0, c1) for each of the nt rectangles of an rp x cp grid of blocks (best_split),
// one per thread; on the calling thread alone when nt <= 1. Should OpenMP grant fewer threads
// than asked, a thread takes several rectangles: which thread runs one never changes its bits.
// (The dot-tile path, which packs nothing; the packed path shares its work dynamically.)
template <class F>
void for_rectangles(int64_t rp, int64_t cp, int nt, F&& f) {
    if (nt <= 1) return f(int64_t(0), rp, int64_t(0), cp);
    const Split s = best_split(rp, cp, nt);
#pragma omp parallel num_threads(nt)
    for (int64_t t = thread_id(); t < nt; t += team_size()) {
        const int64_t r = t / s.cc, c = t % s.cc;
        f(chunk_begin(rp, s.rc, r), chunk_begin(rp, s.rc, r + 1), chunk_begin(cp, s.cc, c), chunk_begin(cp, s.cc, c + 1));
    }
}

// UK: the micro-kernel (gemm_ukernel.h). MC, KC: cache block sizes of this instruction set and
// type (MC a multiple of MR), chosen by measurement (gemm_<isa>.cpp): an MC x KC block of packed
// A about a core's L2, a KC x NR panel of packed B streamed through L1.
//
// Work is shared dynamically. For each KC block of K (a phase), the units of work are (MC row
// block) x (a group of NR column panels), numbered row block after row block and cut into one
// range per thread. A thread takes the units of its own range from that range's counter, then
// helps with what is left of the others'. A tile's K blocks must be summed in order, so a unit
// waits for its own previous phase to be done (a flag per unit), never for the whole team: a
// thread that has taken every unit of a phase goes on to the next while the others finish. It
// packs a unit's A block into its own L2 buffer (kept while its next units stay in the same row
// block, so a thread working its own range packs each A block once), then packs each B panel
// into L1 right before running every MR-row tile over it. A thread slowed by the machine
// (another tenant, an interrupt) simply takes fewer units: with two threads the slower core no
// longer sets the pace. Which thread runs a unit never changes its bits: a tile's arithmetic
// depends on the shape only.
template <class UK, int64_t MC, int64_t KC>
class GemmDriver {
    using T = typename UK::T;
    static constexpr int64_t MR = UK::MR, NR = UK::NR;

   public:
    static void run(const GemmProblem<T>& p) {
        if (p.m == 0 || p.n == 0) return;
        if (p.k == 0) return scale_only(p);
        const View<T> a = p.trans_a ? View<T>{p.a, 1, p.lda} : View<T>{p.a, p.lda, 1};
        const View<T> b = p.trans_b ? View<T>{p.b, 1, p.ldb} : View<T>{p.b, p.ldb, 1};
        if (dot_shape(p)) return p.n <= kDotMaxN ? dot<2, 5>(p) : dot<3, 4>(p);
        if (swap_shape(p)) return swapped(p);
        blocked(p, a, b, false, NR, MC);
    }

   private:
    static void blocked(const GemmProblem<T>& p, View<T> a, View<T> b, bool a_in_place, int64_t np, int64_t mc,
                        const GemmProblem<T>* out = nullptr) {
        Plan s;
        s.out = out;
        s.a_in_place = a_in_place;
        s.np = np;
        s.kc = even_block(p.k, KC, 4);
        s.mc = even_block(p.m, mc, tall_tiles(s) ? kTallMR : MR);
        s.rb = ceil_div(p.m, s.mc);
        s.cp = ceil_div(p.n, s.np);
        s.nt = static_cast<int>(imin(max_threads(2 * p.m * p.n * p.k), s.rb * s.cp));
        // About kUnitsPerThread units per thread: enough to even out two cores' speeds, each
        // still a few row tiles times several panels.
        s.g = imax(1, imin(s.cp, s.rb * s.cp / (kUnitsPerThread * s.nt)));
        s.cg = ceil_div(s.cp, s.g);
        // Per phase and range, the next unit to take; then per unit, how many of its phases are
        // done. One cache line apiece.
        const int64_t phases = ceil_div(p.k, s.kc);
        int64_t* next = static_cast<int64_t*>(std::malloc(sizeof(int64_t) * size_t(kPad * (phases * s.nt + s.units()))));
        if (!next) throw std::bad_alloc();
        for (int64_t ph = 0; ph < phases; ++ph)
            for (int r = 0; r < s.nt; ++r) next[(ph * s.nt + r) * kPad] = s.range_begin(r);
        int64_t* done = next + phases * s.nt * kPad;
        for (int64_t u = 0; u < s.units(); ++u) done[u * kPad] = 0;
        // With several threads and one row block whose A fits in L2 over all of K, units span K:
        // each thread packs all of A once and runs a unit's K blocks back to back (2-5 % at a
        // batch of 32 to 128 on two threads against phases that met at a barrier; against the
        // flag-ordered phases, 0.95-1.11 by shape, kept). Alone, the phased order keeps each A
        // block in L1 across panels and is 2-5 % faster.
        const bool whole_k = s.nt > 1 && s.rb == 1 && p.k > s.kc && round_up(p.m, MR) * p.k * int64_t(sizeof(T)) <= kWholeKBytes;
        if (s.nt <= 1) {
            work(p, a, b, s, next, done, 0, false);
        } else {
            const bool oversubscribed = more_threads_than_cores(s.nt);  // once, not per thread
#pragma omp parallel num_threads(s.nt)
            whole_k ? work_whole_k(p, a, b, s, next, thread_id()) : work(p, a, b, s, next, done, thread_id(), oversubscribed);
        }
        std::free(next);
    }

    // The swapped path (below) where measured to pay (AVX2 float, 4x24 tiles; 2 threads,
    // against the direct product: M = 24 +18 %, 32 +10-14 %, 40 +16 %, 48 +13-15 %, 64 +9 %; one
    // thread +8-22 %): a forward X W^T with bias and a ReLU-family activation or none, a batch
    // of 24 to 64 rows in panels of at least two vectors (M = 56, panels 24 + 24 + 8, and M = 80
    // were no faster; M = 96 +3 %, 128 -5 %; below 24 the dot tiles or the direct path).
    static constexpr int64_t kSwapMinM = 24, kSwapMaxM = 64, kSwapBytes = int64_t(8) << 20;
    static constexpr bool kSwapMeasured = std::is_same_v<T, float> && UK::Vec::W == 8 && NR == 24;

    // Panel width of the swapped product's C^T columns (the batch): NR-or-narrower panels of
    // equal width (32 rows: two of 16, not 24 + 8, whose 4x8 tiles run at half the FMA rate).
    static int64_t swap_panel(int64_t m) { return round_up(ceil_div(m, ceil_div(m, NR)), UK::Vec::W); }

    static bool swap_shape(const GemmProblem<T>& p) {
        if constexpr (!kSwapMeasured) {
            return false;
        } else {
            if (!(p.trans_b && !p.trans_a && !p.pro.active() && p.alpha == T(1) && p.beta == T(0) && act_in_registers(p.ep.act) &&
                  p.m >= kSwapMinM && p.m <= kSwapMaxM && p.m % UK::Vec::W == 0 && p.n >= 4 * NR && p.k >= 64 &&
                  p.m * p.n * int64_t(sizeof(T)) <= kSwapBytes))  // T, kept in a per-thread buffer
                return false;
            const int64_t np = swap_panel(p.m), last = p.m - (ceil_div(p.m, np) - 1) * np;
            return last >= 2 * UK::Vec::W;
        }
    }

    // C = act(X W^T + bias) for a batch of few rows, computed as T = W X^T, then C = act(T^T +
    // bias). In the direct product W^T is the B operand: each panel of it is packed through 8x8
    // register transposes and then used by only m / 4 tiles (a quarter of a 32-row product's
    // time on one thread). Swapped, W is A and read in place (its rows broadcast by the kernel,
    // each W block read from L2 by the few panels of X^T), and only X^T, small, is packed. Same
    // K blocks and the same FMAs per element in the same order: the same bits as the direct
    // product (asserted by the tests), for any thread count.
    static void swapped(const GemmProblem<T>& p) {
        using VT = typename UK::Vec;
        T* t = scratch(4).template get<T>(p.n * p.m);
        GemmProblem<T> q;
        q.trans_a = false;
        q.trans_b = true;
        q.m = p.n;
        q.n = p.m;
        q.k = p.k;
        q.a = p.b;
        q.lda = p.ldb;
        q.b = p.a;
        q.ldb = p.lda;
        q.c = t;
        q.ldc = p.m;
        // Row blocks of MC / 2 rows of W: a block (128 x KC) stays in L2 while the few panels
        // each read it (1 thread, 32 rows: +2-6 % against MC; 2 threads the same). Each unit's
        // block of T goes to C (transposed, with the epilogue) as soon as its last K block is
        // done, by the thread that computed it (finish_unit).
        blocked(q, View<T>{q.a, q.lda, 1}, View<T>{q.b, 1, q.ldb}, true, swap_panel(p.m), imax(MR, MC / 2 / MR * MR), &p);
    }

    // C[j0:j1)[i0:i1) = act(T[i0:i1)[j0:j1)^T + bias) for the swapped product p (T = p's C^T,
    // row stride ldt), W x W blocks transposed in registers and the epilogue applied to each
    // block's rows while they are in L1. j0, j1 are multiples of W (the panels); rows of T past
    // the last whole block go one element at a time. Run on the block a thread has just
    // computed, against one pass over all of T after the product (a second parallel region,
    // whose blocks of T were half of them computed on the other core): 2 threads, alternating
    // processes, 32x512x784 1.034x, 32x512x512 1.011x, 48x512x512 1.036x, 64x512x784 1.069x.
    static void finish_unit(const GemmProblem<T>& p, const T* t, int64_t ldt, int64_t i0, int64_t i1, int64_t j0, int64_t j1) {
        using VT = typename UK::Vec;
        constexpr int64_t W = VT::W;
        const int64_t iw = i0 + (i1 - i0) / W * W;
        for (int64_t j = j0; j < j1; j += W) {
            for (int64_t i = i0; i < iw; i += W) VT::transpose(t + i * ldt + j, ldt, p.c + j * p.ldc + i, p.ldc);
            for (int64_t r = j; r < j + W; ++r) {
                for (int64_t i = iw; i < i1; ++i) p.c[r * p.ldc + i] = t[i * ldt + r];
                epilogue_row(p, r, i0, i1);
            }
        }
    }

    // Bias, pre-activation store and ReLU-family activation on C[i][j0:j1) (the swapped path):
    // whole vectors here, the rest through the edge tiles' scalar epilogue, in place.
    static void epilogue_row(const GemmProblem<T>& p, int64_t i, int64_t j0, int64_t j1) {
        using VT = typename UK::Vec;
        const Epilogue<T>& ep = p.ep;
        if (!ep.bias && !ep.pre && ep.act == Act::none) return;
        T* c = p.c + i * p.ldc;
        T* pre = ep.pre ? ep.pre + i * ep.ldpre : nullptr;
        int64_t j = j0;
        for (; j + VT::W <= j1; j += VT::W) {
            typename VT::V x = VT::load(c + j);
            if (ep.bias) x = VT::add(x, VT::load(ep.bias + j));
            if (pre) VT::store(pre + j, x);
            if (ep.act == Act::relu) x = VT::relu(x);
            else if (ep.act == Act::leaky_relu) x = VT::leaky(x, VT::set1(ep.slope));
            VT::store(c + j, x);
        }
        if (j < j1) store_tile_scalar(c + j, 0, c + j, p.ldc, 1, j1 - j, tile_out(p, 0, p.k, i, j));
    }

    static constexpr int64_t kUnitsPerThread = 8, kPad = 8, kWholeKBytes = int64_t(384) << 10,
                            kNextTilePrefetchMaxK = 64, kKeepBBytes = int64_t(8) << 20;

    // The blocking of one product, by shape only: K blocks of kc, rb row blocks of mc rows, cp
    // column panels of NR, in cg groups of g panels. A unit is a row block x a group, numbered
    // row block after row block; thread t starts on range t of nt equal ranges of units.
    struct Plan {
        int64_t kc, mc, rb, cp, g, cg;
        int nt;
        bool a_in_place = false;  // A read in place even over several column panels
        int64_t np = NR;          // panel width: NR, or less to even out the panels of a narrow C
        const GemmProblem<T>* out = nullptr;  // the swapped path's C, which each unit's T block is finished into
        int64_t units() const { return rb * cg; }
        int64_t range_begin(int r) const { return units() * r / nt; }
    };

    // Thread t's share (the whole product when alone). Per K block (a phase), the thread takes
    // the units of its own range, then those left in the others' (so the first ones stay in its
    // own row blocks: each A block is packed once, unless a thread finishing early helps). Before
    // adding a phase to a unit's tiles it waits until the unit's previous phase is done; that
    // phase's units have all been taken by then (a thread drains every range before moving on),
    // so the wait always ends, and with each thread mostly on its own range it is rare.
    // barrier: with more threads than cores, the team also meets at a barrier after each K block:
    // a thread waiting on a flag would spin while the thread it waits for has no core; OpenMP's
    // barrier puts waiters to sleep.
    static void work(const GemmProblem<T>& p, View<T> a, View<T> b, const Plan& s, int64_t* next, int64_t* done, int t, bool barrier) {
        // A is read in place by a single column panel (no reuse to pay for packing), unless the
        // prologue must transform it; its last, partial row panel is still packed (zero-padded).
        const bool packed_a = !s.a_in_place && (p.pro.active() || s.cp > 1);
        T* pa = scratch(1).get<T>(s.mc * s.kc);
        // With more row blocks than threads, a thread runs several row blocks over the same B
        // panels of a K block: it keeps each panel it packs (all of that K block's B, in L3) and
        // packs it again only in a later K block. A panel packed from B's rows reads one page
        // per row, which the hardware prefetchers do not follow; a kept panel is read back in
        // order (1024^3: +3-4 % on one thread, +2 % on two). With one row block per thread there
        // is nothing to reuse, and a panel written into a large buffer would leave L1 (-2 %).
        const bool keep_b = s.rb > s.nt && s.kc * s.cp * NR * int64_t(sizeof(T)) <= kKeepBBytes;
        T* pb = scratch(2).get<T>(keep_b ? s.kc * s.cp * NR : s.kc * NR);
        int64_t* packed_in = keep_b ? scratch(0).get<int64_t>(s.cp) : nullptr;  // K block each kept panel holds
        if (keep_b)
            for (int64_t jp = 0; jp < s.cp; ++jp) packed_in[jp] = -1;
        for (int64_t pc = 0, phase = 0; pc < p.k; pc += s.kc, ++phase) {
            const int64_t kcur = imin(s.kc, p.k - pc);
            int64_t packed_block = -1;
            take_units(s, next + phase * s.nt * kPad, t, [&](int64_t u) {
                int64_t* unit_done = done + u * kPad;
                wait_until_at_least(unit_done, phase);
                const int64_t block = u / s.cg, group = u % s.cg;
                const int64_t ic = block * s.mc, mcur = imin(s.mc, p.m - ic);
                const int64_t i_packed = packed_a ? ic : tall_tiles(s) ? ic + mcur : ic + mcur / MR * MR;
                if (block != packed_block) {
                    if (i_packed < ic + mcur) pack_a(p, a, i_packed, ic + mcur, pc, kcur, pa + (i_packed - ic) * kcur);
                    packed_block = block;
                }
                // The bias gradient's row sums: once per row block and K block, by whoever
                // runs the block's first group (its flag keeps each row's K blocks in order).
                if (group == 0 && p.pro.row_sum) row_sums(p.pro, pa, ic, ic + mcur, pc, kcur);
                for (int64_t jp = group * s.g; jp < imin(s.cp, (group + 1) * s.g); ++jp) {
                    T* panel = keep_b ? pb + jp * s.kc * NR : pb;
                    if (!keep_b || packed_in[jp] != phase) {
                        pack_b(b, pc, kcur, jp, panel, p.n, s.np);
                        if (keep_b) packed_in[jp] = phase;
                    }
                    if (tall_tiles(s)) tall(p, a, kcur, pc, ic, mcur, panel, jp, s.np);
                    else tiles(p, a, kcur, pc, ic, mcur, i_packed, pa, panel, jp, s.np);
                }
                if (s.out && pc + kcur >= p.k)
                    finish_unit(*s.out, p.c, p.ldc, ic, ic + mcur, group * s.g * s.np, imin(p.n, (group + 1) * s.g * s.np));
                __atomic_store_n(unit_done, phase + 1, __ATOMIC_RELEASE);
            });
            if (barrier && pc + s.kc < p.k) {
#pragma omp barrier
            }
        }
    }

    // One row block whose A, over all of K, fits in L2 (a batch of 32 or 128 times a layer's
    // inputs): each thread packs all of A once, then a unit (a group of column panels) runs
    // every K block of its tiles in order, so threads never wait for each other between K
    // blocks. Same blocking, same order per tile, same bits as work().
    static void work_whole_k(const GemmProblem<T>& p, View<T> a, View<T> b, const Plan& s, int64_t* next, int t) {
        const bool packed_a = !s.a_in_place && (p.pro.active() || s.cp > 1);
        const int64_t rows = round_up(p.m, MR), i_packed = packed_a ? 0 : p.m / MR * MR;
        T* pa = scratch(1).get<T>(rows * p.k);  // K block pc at pa + rows * pc
        T* pb = scratch(2).get<T>(s.kc * NR);
        for (int64_t pc = 0; pc < p.k; pc += s.kc)
            if (i_packed < p.m) pack_a(p, a, i_packed, p.m, pc, imin(s.kc, p.k - pc), pa + rows * pc + i_packed * imin(s.kc, p.k - pc));
        take_units(s, next, t, [&](int64_t group) {  // one row block: a unit is a group
            if (group == 0 && p.pro.row_sum)
                for (int64_t pc = 0; pc < p.k; pc += s.kc) row_sums(p.pro, pa + rows * pc, 0, p.m, pc, imin(s.kc, p.k - pc));
            for (int64_t jp = group * s.g; jp < imin(s.cp, (group + 1) * s.g); ++jp)
                for (int64_t pc = 0; pc < p.k; pc += s.kc) {
                    const int64_t kcur = imin(s.kc, p.k - pc);
                    pack_b(b, pc, kcur, jp, pb, p.n, s.np);
                    tiles(p, a, kcur, pc, 0, p.m, i_packed, pa + rows * pc, pb, jp, s.np);
                }
            if (s.out) finish_unit(*s.out, p.c, p.ldc, 0, p.m, group * s.g * s.np, imin(p.n, (group + 1) * s.g * s.np));
        });
    }

    // Calls f(u) for every unit thread t takes: first its own range's, then what is left of the
    // others' (counters: one per range, kPad apart, each at its range's next unit).
    template <class F>
    static void take_units(const Plan& s, int64_t* counters, int t, F&& f) {
        for (int i = 0; i < s.nt; ++i) {
            const int r = (t + i) % s.nt;
            const int64_t end = s.range_begin(r + 1);
            for (int64_t u; (u = __atomic_fetch_add(counters + r * kPad, 1, __ATOMIC_RELAXED)) < end;) f(u);
        }
    }

    // Measured on Zen 3: dot tiles beat packing W up to M = 16 (60 vs 48 GFLOP/s at 16x512x512),
    // not at M = 32 (67 vs 77).
    static constexpr int64_t kDotMaxN = 16, kDotMaxM = 16;

    // C = X W^T as dot products of rows (gemm_dot.h), for few columns (a 10-class head: R x J =
    // 2 x 5, no column wasted) or few rows (a batch of 16: 3 x 4; packing W would cost a large part
    // of the multiply, each W element being used only M times). Threads own rectangles of row
    // and column blocks; each thread keeps J rows of W in L1 and streams its rows of X past them.
    // The path and the tiles depend on the shape only.
    static bool dot_shape(const GemmProblem<T>& p) {
        return p.trans_b && !p.trans_a && !p.pro.active() && p.k >= 4 * UK::Vec::W && (p.n <= kDotMaxN || p.m <= kDotMaxM);
    }

    template <int R, int J>
    static void dot(const GemmProblem<T>& p) {
        const int64_t rb = ceil_div(p.m, R), cb = ceil_div(p.n, J);
        const int nt = static_cast<int>(imin(max_threads(2 * p.m * p.n * p.k), rb * cb));
        auto part = [&](int64_t r0, int64_t r1, int64_t c0, int64_t c1) {
            for (int64_t jb = c0; jb < c1; ++jb) {
                const int64_t j = jb * J, nr = imin(J, p.n - j);
                const T* b[J];
                for (int64_t q = 0; q < J; ++q) b[q] = p.b + imin(j + q, p.n - 1) * p.ldb;
                for (int64_t blk = r0; blk < r1; ++blk) {
                    const int64_t i = blk * R, mr = imin(R, p.m - i);
                    const T* a[R];
                    for (int64_t r = 0; r < R; ++r) a[r] = p.a + imin(i + r, p.m - 1) * p.lda;
                    T out[R * J];
                    DotKernel<typename UK::Vec, R, J>::run(p.k, a, b, out);
                    store_tile_scalar(out, J, p.c + i * p.ldc + j, p.ldc, mr, nr, tile_out(p, 0, p.k, i, j));
                }
            }
        };
        for_rectangles(rb, cb, nt, part);
    }

    // The epilogue of the tile at row i, column j, for the K block [pc, pc + kcur).
    static TileOut<T> tile_out(const GemmProblem<T>& p, int64_t pc, int64_t kcur, int64_t i, int64_t j) {
        return {p.alpha, p.beta, pc == 0, pc + kcur >= p.k, p.ep.bias ? p.ep.bias + j : nullptr, p.ep.act, p.ep.slope,
                p.ep.pre ? p.ep.pre + i * p.ep.ldpre + j : nullptr, p.ep.ldpre};
    }

    // K == 0: C = beta * C, then bias and activation.
    static void scale_only(const GemmProblem<T>& p) {
        if (p.pro.row_sum && !p.pro.row_sum_accumulate)
            for (int64_t i = 0; i < p.m; ++i) p.pro.row_sum[i] = T(0);
        alignas(64) T zeros[NR] = {};
        for (int64_t j = 0; j < p.n; j += NR) store_tile_scalar(zeros, 0, p.c + j, p.ldc, p.m, imin(NR, p.n - j), tile_out(p, 0, 0, 0, j));
    }

    // Packs rows [i0, i1) x K block [pc, pc + kcur) of op(A) as consecutive MR-row panels with the
    // prologue's activation derivative applied. The ReLU family's (dY where S > 0, else dY * 0 or
    // * slope: the same bits as dY * act'(S)) is applied to each value while it is packed, S read
    // beside dY: against packing dY, then S, then masking the block in a third pass (from L2 or
    // beyond: a block is up to 512 KiB), +4-6 % on the dX and dW products of a batch of 512 and
    // 1-3 % on the step. That needs a register of two K rows' MR values for a transposed A
    // (AVX2 float); elsewhere, and for the other activations, S is packed the same way and the
    // derivative applied to the packed block while it is hot.
    static void pack_a(const GemmProblem<T>& p, View<T> a, int64_t i0, int64_t i1, int64_t pc, int64_t kcur, T* dst) {
        using VT = typename UK::Vec;
        const Prologue<T>& pro = p.pro;
        const View<T> ai{a.at(i0, pc), a.rs, a.cs};
        if (!pro.s || pro.act == Act::none) return pack_a_block<VT, MR>(ai, i1 - i0, kcur, dst);
        const View<T> s = p.trans_a ? View<T>{pro.s, 1, pro.lds} : View<T>{pro.s, pro.lds, 1};
        const View<T> si{s.at(i0, pc), s.rs, s.cs};
        const bool relu_like = pro.act == Act::relu || pro.act == Act::leaky_relu;  // y > 0 exactly when z > 0
        constexpr bool kMaskTransposed = HasLoadHalves<VT>::value && 2 * MR == VT::W;
        if (relu_like && (kMaskTransposed || !p.trans_a))
            return pack_a_block<VT, MR>(ai, i1 - i0, kcur, dst, PosMask<T>{si, pro.act == Act::relu ? T(0) : pro.slope});
        pack_a_block<VT, MR>(ai, i1 - i0, kcur, dst);
        const int64_t n = round_up(i1 - i0, MR) * kcur;
        T* sp = scratch(3).template get<T>(n);
        pack_a_block<VT, MR>(si, i1 - i0, kcur, sp);
        if (relu_like) mask_packed<VT>(dst, sp, n, pro.act == Act::relu ? T(0) : pro.slope);
        else if (pro.from_output) act_backward_from_output(dst, dst, sp, n, pro.act, pro.slope);  // the out-of-line kernels
        else act_backward(dst, dst, sp, n, pro.act, pro.slope);
    }

    // row_sum[i] (+)= the sum of packed row i of this K block, in K order, block after block:
    // the same bits for any thread count.
    static void row_sums(const Prologue<T>& pro, const T* packed, int64_t i0, int64_t i1, int64_t pc, int64_t kcur) {
        for (int64_t i = i0; i < i1; i += MR) {
            const T* panel = packed + (i - i0) * kcur;
            T acc[MR] = {};
            for (int64_t q = 0; q < kcur; ++q)  // the MR rows side by side: one vector add per q
                for (int64_t r = 0; r < MR; ++r) acc[r] += panel[q * MR + r];
            for (int64_t r = 0; r < imin(MR, i1 - i); ++r) {
                T& out = pro.row_sum[i + r];
                out = pc == 0 && !pro.row_sum_accumulate ? acc[r] : out + acc[r];
            }
        }
    }

    // Calls f(std::integral_constant<int, v>) with v the vectors of a panel nr columns wide: the
    // last, narrower panel runs the kernel of just enough vectors (N = 10 on a 24-wide tile: 16
    // columns of work, not 24).
    template <int NV_, class F>
    static void with_width(int64_t nr, F&& f) {
        if constexpr (NV_ > 1) {
            if (nr <= (NV_ - 1) * UK::Vec::W) return with_width<NV_ - 1>(nr, f);
        }
        f(std::integral_constant<int, NV_>{});
    }

    // Packs B panel jp (columns [jp * NR, +NR), K rows [pc, pc + kcur)) at its kernel's width.
    // Packed even when B rows are contiguous: a KC x NR panel read in place at a power-of-two
    // row stride would thrash a few L1 sets.
    static void pack_b(View<T> b, int64_t pc, int64_t kcur, int64_t jp, T* dst, int64_t n, int64_t np) {
        const int64_t j = jp * np, nr = imin(np, n - j);
        with_width<UK::NV>(nr, [&](auto nv) {
            pack_b_panel<typename UK::Vec, decltype(nv)::value * UK::Vec::W>(View<T>{b.at(pc, j), b.rs, b.cs}, kcur, nr, dst);
        });
    }

    // Tiles of the swapped path's narrow panels (32 rows of X: two panels of 16 columns). At
    // MR = 4 a 16-wide tile has 8 accumulators, one FMA latency's worth for two FMA units, and
    // 6 loads per 8 FMAs; 6 rows give 12 accumulators and 8 loads per 12 FMAs (A is read in
    // place, so MR is free here: nothing is packed in MR-row panels). 32x512x784 on one thread
    // 71 -> 77 GFLOP/s (+8-10 %), on two +3-6 %. The same FMAs per element in the same order:
    // the bits do not depend on the tile height.
    static constexpr int64_t kTallMR = 6;
    static bool tall_tiles(const Plan& s) { return kSwapMeasured && s.a_in_place && s.np <= 2 * UK::Vec::W; }

    // Every kTallMR-row tile of rows [ic, ic + mcur) of A, read in place and row-major, times
    // packed B panel jp (at most two vectors wide).
    static void tall(const GemmProblem<T>& p, View<T> a, int64_t kcur, int64_t pc, int64_t ic, int64_t mcur, const T* pb, int64_t jp,
                     int64_t np) {
        const int64_t j = jp * np, nr = imin(np, p.n - j);
        with_width<2>(nr, [&](auto nv) {
            constexpr int64_t NRx = decltype(nv)::value * UK::Vec::W;
            using K = MicroKernel<typename UK::Vec, kTallMR, decltype(nv)::value>;
            TileOut<T> o = tile_out(p, pc, kcur, ic, j);
            for (int64_t i = ic; i < ic + mcur; i += kTallMR) {
                if (o.pre) o.pre = p.ep.pre + i * p.ep.ldpre + j;
                K::template run<false, 1, NRx>(kcur, a.at(i, pc), a.rs, 1, pb, NRx, p.c + i * p.ldc + j, p.ldc, imin(kTallMR, ic + mcur - i), nr, o);
            }
        });
    }

    // Every MR-row tile of rows [ic, ic + mcur) times packed B panel jp.
    static void tiles(const GemmProblem<T>& p, View<T> a, int64_t kcur, int64_t pc, int64_t ic, int64_t mcur, int64_t i_packed,
                      const T* pa, const T* pb, int64_t jp, int64_t np) {
        const int64_t j = jp * np, nr = imin(np, p.n - j);
        with_width<UK::NV>(nr, [&](auto nv) {
            constexpr int64_t NRx = decltype(nv)::value * UK::Vec::W;
            using K = MicroKernel<typename UK::Vec, MR, decltype(nv)::value>;
            TileOut<T> o = tile_out(p, pc, kcur, ic, j);  // once per panel: only `pre` moves with the row
            for (int64_t i = ic; i < ic + mcur; i += MR) {
                T* c = p.c + i * p.ldc + j;
                const int64_t mr = imin(MR, ic + mcur - i);
                // With a short K (a batch of 32 in dW), fetch the next tile's C (a gradient
                // accumulated with beta = 1, or lines about to be written) while this one
                // computes: the kernel's own prefetch comes too late to hide a miss to memory.
                // With a long K it does not, and these only cost issue slots (1-4 %).
                if (kcur < kNextTilePrefetchMaxK)
                    for (int64_t r = 0; r < imin(MR, ic + mcur - i - MR); ++r) {
                        __builtin_prefetch(c + (MR + r) * p.ldc, 1);
                        __builtin_prefetch(c + (MR + r) * p.ldc + NRx - 1, 1);
                    }
                if (o.pre) o.pre = p.ep.pre + i * p.ep.ldpre + j;
                if (i >= i_packed) K::template body<true, MR, NRx>(kcur, pa + (i - ic) * kcur, 1, MR, pb, NRx, c, p.ldc, mr, nr, o);
                else if (a.rs == 1) K::template run<true>(kcur, a.at(i, pc), 1, a.cs, pb, NRx, c, p.ldc, mr, nr, o);
                else if (a.cs == 1) K::template run<false, 1, NRx>(kcur, a.at(i, pc), a.rs, 1, pb, NRx, c, p.ldc, mr, nr, o);  // row-major A in place (the swapped path's W)
                else K::template run<false>(kcur, a.at(i, pc), a.rs, a.cs, pb, NRx, c, p.ldc, mr, nr, o);
            }
        });
    }
};

}  // namespace rp::kernels::RP_ISA
