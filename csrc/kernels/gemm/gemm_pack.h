// Packing for the blocked GEMM: copies a block of op(A) into MR-row panels and a block of op(B)
// into NR-column panels (zero-padded at the edges) so the micro-kernel reads them contiguously.
// An operand is described by (row stride, column stride) of its logical op() view, so the
// transposed views are read in place, never copied first.

#include <type_traits>

namespace rp::kernels::RP_ISA {

// op(X) element (i, j) = x[i * rs + j * cs].
template <typename T>
struct View {
    const T* x;
    int64_t rs, cs;
    const T* at(int64_t i, int64_t j) const { return x + i * rs + j * cs; }
};

inline int64_t imin(int64_t a, int64_t b) { return a < b ? a : b; }
inline int64_t imax(int64_t a, int64_t b) { return a > b ? a : b; }
inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }
inline int64_t round_up(int64_t a, int64_t q) { return ceil_div(a, q) * q; }

// The ReLU family's derivative applied to a: a where the saved s > 0, else a * neg (0 for relu,
// the slope for leaky_relu): the same bits as a * act'(s), branch-free in vector form.
template <typename T>
inline T pos_mask(T s, T a, T neg) {
    return s > T(0) ? a : a * neg;
}

// What packing does to each value of A: nothing (NoMask), or the ReLU / leaky ReLU derivative
// of a GEMM prologue (PosMask), applied while the value is in a register, so that dZ = dY * act'
// is never written out and read back as a pass of its own. cs_unit / rs_unit: whether S has the
// unit column / row stride the vector paths need of A too.
struct NoMask {
    NoMask at(int64_t, int64_t) const { return {}; }
    bool cs_unit() const { return true; }
    bool rs_unit() const { return true; }
};
template <typename T>
struct PosMask {
    View<T> s;  // the saved tensor, same origin as the packed view of A
    T neg;
    PosMask at(int64_t i, int64_t p) const { return {View<T>{s.at(i, p), s.rs, s.cs}, neg}; }
    bool cs_unit() const { return s.cs == 1; }
    bool rs_unit() const { return s.rs == 1; }
    T apply(int64_t i, int64_t p, T a) const { return pos_mask(*s.at(i, p), a, neg); }
};
template <class M>
constexpr bool kMasked = !std::is_same_v<M, NoMask>;
// Whether SIMD traits VT load a register from two half-register pieces (VT::load_halves), as
// masked packing of a transposed A needs (else the prologue masks the packed block afterwards).
template <class VT, class = void>
struct HasLoadHalves : std::false_type {};
template <class VT>
struct HasLoadHalves<VT, std::void_t<decltype(&VT::load_halves)>> : std::true_type {};

// The mask over n consecutive packed values of dst, whose s values are the same n of sv (both
// packed alike).
template <class VT, typename T>
inline void mask_packed(T* dst, const T* sv, int64_t n, T neg) {
    const typename VT::V negv = VT::set1(neg);
    int64_t e = 0;
    for (; e + VT::W <= n; e += VT::W) {
        const typename VT::V d = VT::load(dst + e);
        VT::store(dst + e, VT::select_pos(VT::load(sv + e), d, VT::mul(d, negv)));
    }
    for (; e < n; ++e) dst[e] = pos_mask(sv[e], dst[e], neg);
}

// One MR x kc panel of op(A) rows [0, mr) (mr <= MR): dst[p * MR + i] = a(i, p), zero rows past mr.
// VT (SIMD traits) supplies the register transposes for a row-major A: W x W blocks when MR == W,
// or MR x W blocks through VT::transpose_rows when it has one for this MR (AVX2 float: 4 x 8).
template <class VT, int64_t MR>
constexpr bool kVectorPackA = MR == VT::W || VT::template kTransposeRows<MR>;

template <class VT, int64_t MR, typename T, class M = NoMask>
void pack_a_panel(View<T> a, int64_t mr, int64_t kc, T* __restrict dst, const M& mask = {}) {
    auto value = [&](int64_t i, int64_t p) {
        if constexpr (kMasked<M>) return mask.apply(i, p, *a.at(i, p));
        else return *a.at(i, p);
    };
    if (mr == MR) {  // MR streams read in step (each sequential when A is row-major)
        int64_t p0 = 0;
        if constexpr (kVectorPackA<VT, MR>) {
            if (a.cs == 1 && mask.cs_unit()) {
                for (; p0 + VT::W <= kc; p0 += VT::W) {
                    if constexpr (MR == VT::W) VT::transpose(a.at(0, p0), a.rs, dst + p0 * MR, MR);
                    else VT::template transpose_rows<MR>(a.at(0, p0), a.rs, dst + p0 * MR);
                    if constexpr (kMasked<M>) {  // S's block the same way, then the mask, all in L1
                        alignas(64) T sv[MR * VT::W];
                        if constexpr (MR == VT::W) VT::transpose(mask.s.at(0, p0), mask.s.rs, sv, MR);
                        else VT::template transpose_rows<MR>(mask.s.at(0, p0), mask.s.rs, sv);
                        mask_packed<VT>(dst + p0 * MR, sv, MR * VT::W, mask.neg);
                    }
                }
            }
        }
        for (int64_t p = p0; p < kc; ++p)
            for (int64_t i = 0; i < MR; ++i) dst[p * MR + i] = value(i, p);
        return;
    }
    for (int64_t p = 0; p < kc; ++p)
        for (int64_t i = 0; i < MR; ++i) dst[p * MR + i] = i < mr ? value(i, p) : T(0);
}

// Rows [0, m) of op(A) as consecutive MR x kc panels (the last zero-padded), dst of
// round_up(m, MR) * kc elements. A transposed A (unit row stride) is read KP rows of op(A)^T at
// a time, each across all panels: those KP lines are reused from L1 by every panel, and each
// panel receives KP x MR consecutive values (whole cache lines). Panel by panel, a power-of-two
// leading dimension would make every kc-row walk fight over a few L1 sets; one row at a time,
// the MR values written to each panel (kc * MR apart: a power of two too) would do the same.
// A mask (a prologue's activation derivative) is applied to each value as it is packed.
template <class VT, int64_t MR, typename T, class M = NoMask>
void pack_a_block(View<T> a, int64_t m, int64_t kc, T* __restrict dst, const M& mask = {}) {
    if (a.rs != 1 || a.cs == 1 || !mask.rs_unit()) {
        for (int64_t i = 0; i < m; i += MR)
            pack_a_panel<VT, MR>(View<T>{a.at(i, 0), a.rs, a.cs}, imin(MR, m - i), kc, dst + i * kc, mask.at(i, 0));
        return;
    }
    constexpr int64_t KP = 8;
    const int64_t full = m / MR * MR;
    for (int64_t p0 = 0; p0 < kc; p0 += KP) {
        const int64_t pn = imin(KP, kc - p0);
        const T* src = a.x + p0 * a.cs;
        auto value = [&](int64_t p, int64_t col) {
            if constexpr (kMasked<M>) return pos_mask(mask.s.x[(p0 + p) * mask.s.cs + col], src[p * a.cs + col], mask.neg);
            else return src[p * a.cs + col];
        };
        for (int64_t i = 0; i < full; i += MR) {
            T* d = dst + i * kc + p0 * MR;
            int64_t p = 0;
            if constexpr (kMasked<M> && HasLoadHalves<VT>::value && 2 * MR == VT::W) {  // two K rows' MR values per register
                const T* ssrc = mask.s.x + p0 * mask.s.cs;
                const typename VT::V negv = VT::set1(mask.neg);
                for (; p + 2 <= pn; p += 2) {
                    const typename VT::V v = VT::load_halves(src + p * a.cs + i, src + (p + 1) * a.cs + i);
                    const typename VT::V sv = VT::load_halves(ssrc + p * mask.s.cs + i, ssrc + (p + 1) * mask.s.cs + i);
                    VT::store(d + p * MR, VT::select_pos(sv, v, VT::mul(v, negv)));
                }
            }
            for (; p < pn; ++p)
                for (int64_t r = 0; r < MR; ++r) d[p * MR + r] = value(p, i + r);
        }
        if (full < m) {
            T* d = dst + full * kc + p0 * MR;
            for (int64_t p = 0; p < pn; ++p)
                for (int64_t r = 0; r < MR; ++r) d[p * MR + r] = full + r < m ? value(p, full + r) : T(0);
        }
    }
}

// One kc x NR panel of op(B) columns [0, nr) (nr <= NR): dst[p * NR + j] = b(p, j), zero past nr.
// VT (SIMD traits) supplies the W x W block transpose for a transposed B.
template <class VT, int64_t NR, typename T>
void pack_b_panel(View<T> b, int64_t kc, int64_t nr, T* __restrict dst) {
    constexpr int64_t W = VT::W;
    int64_t p0 = 0;
    if (b.cs == 1) {  // B rows contiguous: row copies
        if (nr == NR) {  // explicit vector moves: a compiler would call memmove per 96-byte row
            for (int64_t p = 0; p < kc; ++p)
                for (int64_t j = 0; j < NR; j += W) VT::store(dst + p * NR + j, VT::load(b.x + p * b.rs + j));
        } else {
            for (int64_t p = 0; p < kc; ++p)
                for (int64_t j = 0; j < NR; ++j) dst[p * NR + j] = j < nr ? b.x[p * b.rs + j] : T(0);
        }
        return;
    }
    // Transposed view: W x W register transposes over the full W-column groups, then the
    // remaining columns (zero past nr) and the K remainder one element at a time.
    const int64_t j_full = b.rs == 1 ? nr / W * W : 0;
    for (; p0 + W <= kc && j_full > 0; p0 += W) {
        for (int64_t j = 0; j < j_full; j += W) VT::transpose(b.at(p0, j), b.cs, dst + p0 * NR + j, NR);
        for (int64_t p = p0; p < p0 + W; ++p)
            for (int64_t j = j_full; j < NR; ++j) dst[p * NR + j] = j < nr ? *b.at(p, j) : T(0);
    }
    for (int64_t p = p0; p < kc; ++p)
        for (int64_t j = 0; j < NR; ++j) dst[p * NR + j] = j < nr ? *b.at(p, j) : T(0);
}

// A reusable 64-byte aligned scratch buffer: one set per thread, so no allocation per call.
class Scratch {
   public:
    Scratch() = default;
    Scratch(const Scratch&) = delete;
    Scratch& operator=(const Scratch&) = delete;
    ~Scratch() { std::free(p_); }
    template <typename T>
    T* get(int64_t n) {
        const size_t bytes = static_cast<size_t>(round_up(imax(n, 1) * int64_t(sizeof(T)), 64));
        if (bytes > cap_) {
            std::free(p_);
            p_ = std::aligned_alloc(64, bytes);
            if (!p_) throw std::bad_alloc();
            cap_ = bytes;
        }
        return static_cast<T*>(p_);
    }

   private:
    void* p_ = nullptr;
    size_t cap_ = 0;
};

// slot 0: which K block each kept B panel holds; 1: packed A (one block, or all of K for whole-K
// units); 2: a packed B panel (or all of a K block's, kept); 3: packed S of the prologue; 4: the
// swapped path's C^T (the calling thread's, outside the parallel product).
inline Scratch& scratch(int slot) {
    thread_local Scratch s[5];
    return s[slot];
}

}  // namespace rp::kernels::RP_ISA
