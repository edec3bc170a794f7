// Dot-product tiles for products with few output columns and B stored transposed: X W^T of a
// layer with a handful of outputs (a 10-class head). Each C element is the dot product of two
// contiguous rows, so neither operand is packed and no lane of a 24-wide tile is wasted on
// padding. Included by gemm_driver.h inside its instruction-set namespace.

namespace rp::kernels::RP_ISA {

// out[r * J + j] = sum_p a[r][p] * b[j][p] over p < k, for R rows of A and J rows of B (row
// pointers, so edge tiles can repeat a valid row and discard its results). Lanes accumulate
// whole vectors, then a fixed-order reduction and the K remainder: the same bits for any
// thread count.
template <class VT, int R, int J>
struct DotKernel {
    using T = typename VT::Scalar;
    using V = typename VT::V;
    static constexpr int W = VT::W;

    static void run(int64_t k, const T* const (&a)[R], const T* const (&b)[J], T* out) {
        V acc[R][J];
#pragma GCC unroll 16
        for (int r = 0; r < R; ++r)
#pragma GCC unroll 16
            for (int j = 0; j < J; ++j) acc[r][j] = VT::zero();
        int64_t p = 0;
        for (; p + W <= k; p += W) {
            V av[R];
#pragma GCC unroll 16
            for (int r = 0; r < R; ++r) av[r] = VT::load(a[r] + p);
#pragma GCC unroll 16
            for (int j = 0; j < J; ++j) {
                const V bv = VT::load(b[j] + p);
#pragma GCC unroll 16
                for (int r = 0; r < R; ++r) acc[r][j] = VT::fma(av[r], bv, acc[r][j]);
            }
        }
        alignas(64) T lanes[W];
        for (int r = 0; r < R; ++r) {
            for (int j = 0; j < J; ++j) {
                VT::store(lanes, acc[r][j]);
                T sum = T(0);
                for (int l = 0; l < W; ++l) sum += lanes[l];
                for (int64_t q = p; q < k; ++q) sum += a[r][q] * b[j][q];
                out[r * J + j] = sum;
            }
        }
    }
};

}  // namespace rp::kernels::RP_ISA
