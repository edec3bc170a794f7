// AVX-512F SIMD traits (512-bit): same interface as gemm_simd_avx2.h, masks instead of blends.
#include <cstdint>
#include <immintrin.h>

namespace rp::kernels::RP_ISA {

struct VecF32 {
    using Scalar = float;
    using V = __m512;
    static constexpr int W = 16;
    template <int64_t R>
    static constexpr bool kTransposeRows = false;
    static V zero() { return _mm512_setzero_ps(); }
    static V load(const Scalar* p) { return _mm512_loadu_ps(p); }
    static void store(Scalar* p, V v) { _mm512_storeu_ps(p, v); }
    static V set1(Scalar x) { return _mm512_set1_ps(x); }
    static V fma(V a, V b, V c) { return _mm512_fmadd_ps(a, b, c); }
    static V mul(V a, V b) { return _mm512_mul_ps(a, b); }
    static V add(V a, V b) { return _mm512_add_ps(a, b); }
    static V relu(V x) { return _mm512_maskz_mov_ps(_mm512_cmp_ps_mask(x, zero(), _CMP_GT_OQ), x); }
    static V leaky(V x, V s) { return _mm512_mask_mov_ps(_mm512_mul_ps(x, s), _mm512_cmp_ps_mask(x, zero(), _CMP_GT_OQ), x); }
    static V select_pos(V s, V a, V b) { return _mm512_mask_mov_ps(b, _mm512_cmp_ps_mask(s, zero(), _CMP_GT_OQ), a); }  // s > 0 ? a : b
    [[gnu::always_inline]] static inline void transpose(const Scalar* src, int64_t ld, Scalar* dst, int64_t dst_ld) {
        for (int j = 0; j < W; ++j)
            for (int q = 0; q < W; ++q) dst[q * dst_ld + j] = src[j * ld + q];
    }
};

struct VecF64 {
    using Scalar = double;
    using V = __m512d;
    static constexpr int W = 8;
    template <int64_t R>
    static constexpr bool kTransposeRows = false;
    static V zero() { return _mm512_setzero_pd(); }
    static V load(const Scalar* p) { return _mm512_loadu_pd(p); }
    static void store(Scalar* p, V v) { _mm512_storeu_pd(p, v); }
    static V set1(Scalar x) { return _mm512_set1_pd(x); }
    static V fma(V a, V b, V c) { return _mm512_fmadd_pd(a, b, c); }
    static V mul(V a, V b) { return _mm512_mul_pd(a, b); }
    static V add(V a, V b) { return _mm512_add_pd(a, b); }
    static V relu(V x) { return _mm512_maskz_mov_pd(_mm512_cmp_pd_mask(x, zero(), _CMP_GT_OQ), x); }
    static V leaky(V x, V s) { return _mm512_mask_mov_pd(_mm512_mul_pd(x, s), _mm512_cmp_pd_mask(x, zero(), _CMP_GT_OQ), x); }
    static V select_pos(V s, V a, V b) { return _mm512_mask_mov_pd(b, _mm512_cmp_pd_mask(s, zero(), _CMP_GT_OQ), a); }
    [[gnu::always_inline]] static inline void transpose(const Scalar* src, int64_t ld, Scalar* dst, int64_t dst_ld) {
        for (int j = 0; j < W; ++j)
            for (int q = 0; q < W; ++q) dst[q * dst_ld + j] = src[j * ld + q];
    }
};

}  // namespace rp::kernels::RP_ISA
