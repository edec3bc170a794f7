// AVX2+FMA SIMD traits (256-bit): the interface the GEMM micro-kernel is written against.
#include <immintrin.h>

namespace rp::kernels::RP_ISA {

struct VecF32 {
    using Scalar = float;
    using V = __m256;
    static constexpr int W = 8;
    static V zero() { return _mm256_setzero_ps(); }
    static V load(const Scalar* p) { return _mm256_loadu_ps(p); }
    static void store(Scalar* p, V v) { _mm256_storeu_ps(p, v); }
    static V set1(Scalar x) { return _mm256_set1_ps(x); }
    static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
    static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
    static V add(V a, V b) { return _mm256_add_ps(a, b); }
    static V relu(V x) { return _mm256_max_ps(x, zero()); }  // max(NaN, 0) = 0, as act_forward
    static V leaky(V x, V s) { return _mm256_blendv_ps(_mm256_mul_ps(x, s), x, _mm256_cmp_ps(x, zero(), _CMP_GT_OQ)); }
};

struct VecF64 {
    using Scalar = double;
    using V = __m256d;
    static constexpr int W = 4;
    static V zero() { return _mm256_setzero_pd(); }
    static V load(const Scalar* p) { return _mm256_loadu_pd(p); }
    static void store(Scalar* p, V v) { _mm256_storeu_pd(p, v); }
    static V set1(Scalar x) { return _mm256_set1_pd(x); }
    static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
    static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
    static V add(V a, V b) { return _mm256_add_pd(a, b); }
    static V relu(V x) { return _mm256_max_pd(x, zero()); }
    static V leaky(V x, V s) { return _mm256_blendv_pd(_mm256_mul_pd(x, s), x, _mm256_cmp_pd(x, zero(), _CMP_GT_OQ)); }
};

}  // namespace rp::kernels::RP_ISA
