// The register-tiled GEMM micro-kernel, written once over a SIMD traits type (gemm_simd_*.h) and
// instantiated per instruction set with that set's register shape, e.g. AVX2 4x24 float = 12 ymm
// accumulators. It computes an MR x NR tile of A*B over one K block, then applies the epilogue
// (alpha, beta, bias, relu/leaky_relu) while the tile is still in registers.
// Included by gemm_<isa>.cpp inside its own namespace (see gemm_driver.h).

namespace rp::kernels::RP_ISA {

// What happens to a finished tile of one K block.
template <typename T>
struct TileOut {
    T alpha, beta;
    bool first;     // first K block: C = alpha*AB + beta*C (C is not read when beta == 0)
    bool last;      // last K block: then add bias and apply the activation
    const T* bias;  // bias of the tile's first column, or nullptr
    Act act;
    T slope;
    T* pre;  // where the tile's pre-activation goes (last K block), or nullptr
    int64_t ldpre;
};

inline bool act_in_registers(Act act) { return act == Act::none || act == Act::relu || act == Act::leaky_relu; }

// The other activations (gelu, silu, tanh, sigmoid...) over a just-stored tile while it is in L1,
// row by row through this instruction set's vectorized activation kernels (kernels/nn/act.h).
template <typename T>
void act_rows(Act act, T* c, int64_t ldc, int64_t rows, int64_t cols, T slope) {
    for (int64_t i = 0; i < rows; ++i) act_forward(c + i * ldc, c + i * ldc, cols, act, slope);
}

// The same update for any tile shape, one element at a time: edge tiles and K == 0.
// acc(i, j) = acc[i * acc_ld + j].
template <typename T>
void store_tile_scalar(const T* acc, int64_t acc_ld, T* c, int64_t ldc, int64_t mr, int64_t nr, const TileOut<T>& o) {
    for (int64_t i = 0; i < mr; ++i) {
        for (int64_t j = 0; j < nr; ++j) {
            T& cij = c[i * ldc + j];
            T v = o.alpha * acc[i * acc_ld + j];
            if (!o.first) v = cij + v;
            else if (o.beta != T(0)) v = o.beta * cij + v;
            if (o.last) {
                if (o.bias) v += o.bias[j];
                if (o.pre) o.pre[i * o.ldpre + j] = v;
                if (o.act == Act::relu) v = v > T(0) ? v : T(0);
                if (o.act == Act::leaky_relu) v = v > T(0) ? v : v * o.slope;
            }
            cij = v;
        }
    }
    if (o.last && !act_in_registers(o.act)) act_rows(o.act, c, ldc, mr, nr, o.slope);
}

template <class VT, int MR_, int NV_>
struct MicroKernel {
    using Vec = VT;
    using T = typename VT::Scalar;
    using V = typename VT::V;
    static constexpr int W = VT::W;
    static constexpr int NV = NV_;
    static constexpr int64_t MR = MR_, NR = NV_ * VT::W;

    // Tile C[0:mr, 0:nr] (row stride ldc) <- epilogue of sum_p a(i, p) b(p, j), p < kc, where
    // a(i, p) = a[i * a_rs + p * a_cs] (broadcast from memory: packed panels or A in place, either
    // layout) and b(p, j) = b[p * b_rs + j] with NR readable columns (packed, or B in place).
    // A_UNIT_RS: a_rs == 1 (packed A or transposed A), so row offsets are constants. A_CS, B_RS:
    // when positive, a_cs and b_rs as compile-time constants (packed panels), so that the K loop,
    // unrolled 8 times, addresses every step by an immediate offset: GCC's 2-step loop with
    // run-time strides ran 10-20 % slower in L1.
    // Edge tiles (mr < MR) run the kernel of height mr; nr < NR goes through store_edge.
    template <bool A_UNIT_RS, int64_t A_CS = 0, int64_t B_RS = 0>
    static void run(int64_t kc, const T* __restrict a, int64_t a_rs, int64_t a_cs, const T* __restrict b, int64_t b_rs,
                    T* c, int64_t ldc, int64_t mr, int64_t nr, const TileOut<T>& o) {
        body<A_UNIT_RS, A_CS, B_RS>(kc, a, a_rs, a_cs, b, b_rs, c, ldc, mr, nr, o);
    }

    // run()'s body, inlined into the caller's loop over a panel's tiles (the packed path): no
    // call and no stack frame per tile.
    template <bool A_UNIT_RS, int64_t A_CS = 0, int64_t B_RS = 0>
    [[gnu::always_inline]] static inline void body(int64_t kc, const T* __restrict a, int64_t a_rs, int64_t a_cs, const T* __restrict b,
                                                   int64_t b_rs, T* c, int64_t ldc, int64_t mr, int64_t nr, const TileOut<T>& o) {
        if constexpr (MR_ > 1) {  // fewer rows (an edge): the kernel of that height, no wasted FMAs
            if (mr < MR_)
                return MicroKernel<VT, MR_ - 1, NV_>::template run<A_UNIT_RS, A_CS, B_RS>(kc, a, a_rs, a_cs, b, b_rs, c, ldc, mr, nr, o);
        }
        V acc[MR_][NV_];
#pragma GCC unroll 32
        for (int i = 0; i < MR_; ++i)
#pragma GCC unroll 4
            for (int v = 0; v < NV_; ++v) acc[i][v] = VT::zero();
        if constexpr (A_UNIT_RS) a_rs = 1;
        if constexpr (A_CS > 0) a_cs = A_CS;
        if constexpr (B_RS > 0) b_rs = B_RS;
        // Start fetching the C tile now; it is read (or written) once the K loop is done.
#pragma GCC unroll 32
        for (int i = 0; i < MR_; ++i) {
            __builtin_prefetch(c + i * ldc, 1);
            __builtin_prefetch(c + i * ldc + NR - 1, 1);
        }
#pragma GCC unroll 8
        for (int64_t p = 0; p < kc; ++p) {
            V bv[NV_];
#pragma GCC unroll 4
            for (int v = 0; v < NV_; ++v) bv[v] = VT::load(b + v * W);
#pragma GCC unroll 32
            for (int i = 0; i < MR_; ++i) {
                const V ai = VT::set1(a[i * a_rs]);
#pragma GCC unroll 4
                for (int v = 0; v < NV_; ++v) acc[i][v] = VT::fma(ai, bv[v], acc[i][v]);
            }
            a += a_cs;
            b += b_rs;
        }
        if (mr == MR && nr == NR) return store_full(acc, c, ldc, o);
        // Edge tile: the accumulators are spilled here, not by a callee taking them by
        // reference: an address-taken acc made every tile zero a stack copy of it (with the
        // TileOut built once per panel, 4-8 % on products of K = 32 to 1024).
        alignas(64) T tile[MR_ * NR];
#pragma GCC unroll 32
        for (int i = 0; i < MR_; ++i)
#pragma GCC unroll 4
            for (int v = 0; v < NV_; ++v) VT::store(tile + i * NR + v * W, acc[i][v]);
        store_edge(tile, c, ldc, mr, nr, o);
    }

   private:
    // The scalar update of an edge tile, out of line so the hot path stays small.
    [[gnu::noinline]] static void store_edge(const T* tile, T* c, int64_t ldc, int64_t mr, int64_t nr, const TileOut<T>& o) {
        store_tile_scalar(tile, NR, c, ldc, mr, nr, o);
    }

    [[gnu::always_inline]] static inline void store_full(V (&acc)[MR_][NV_], T* c, int64_t ldc, const TileOut<T>& o) {
        const V alpha = VT::set1(o.alpha), beta = VT::set1(o.beta), slope = VT::set1(o.slope);
        const bool read_c = !o.first || o.beta != T(0);
        const bool bias = o.last && o.bias;
        T* const pre = o.last ? o.pre : nullptr;
        const Act act = o.last ? o.act : Act::none;
        // The two common plain cases without the general path's per-vector tests: a fresh C
        // (forward, dX) and a gradient accumulated into (dW += ..., beta = 1). With a short K
        // (a batch of 32) the store is a large part of a tile's time.
        if (!bias && !pre && act == Act::none && o.alpha == T(1) && (!read_c || (!o.first || o.beta == T(1)))) {
#pragma GCC unroll 32
            for (int i = 0; i < MR_; ++i)
#pragma GCC unroll 4
                for (int v = 0; v < NV_; ++v) {
                    T* cp = c + i * ldc + v * W;
                    VT::store(cp, read_c ? VT::add(VT::load(cp), acc[i][v]) : acc[i][v]);
                }
            return;
        }
        V bv[NV_];
#pragma GCC unroll 4
        for (int v = 0; v < NV_; ++v) bv[v] = bias ? VT::load(o.bias + v * W) : VT::zero();
#pragma GCC unroll 32
        for (int i = 0; i < MR_; ++i) {
#pragma GCC unroll 4
            for (int v = 0; v < NV_; ++v) {
                T* cp = c + i * ldc + v * W;
                V x = VT::mul(alpha, acc[i][v]);
                if (read_c) x = o.first ? VT::fma(beta, VT::load(cp), x) : VT::add(VT::load(cp), x);
                if (bias) x = VT::add(x, bv[v]);
                if (pre) VT::store(pre + i * o.ldpre + v * W, x);
                if (act == Act::relu) x = VT::relu(x);
                else if (act == Act::leaky_relu) x = VT::leaky(x, slope);
                VT::store(cp, x);
            }
        }
        if (!act_in_registers(act)) act_rows(act, c, ldc, MR, NR, o.slope);
    }
};

}  // namespace rp::kernels::RP_ISA
