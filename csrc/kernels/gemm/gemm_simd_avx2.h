// AVX2+FMA SIMD traits (256-bit): the interface the GEMM micro-kernel is written against.
#include <immintrin.h>

namespace rp::kernels::RP_ISA {

struct VecF32 {
    using Scalar = float;
    using V = __m256;
    static constexpr int W = 8;
    template <int64_t R>
    static constexpr bool kTransposeRows = R == 4;
    // dst[q * 4 + j] = src[j * ld + q] for j < 4, q < 8: four rows of a row-major A packed as
    // eight 4-element columns (the 4 x 24 kernel's A panel).
    template <int64_t R>
    [[gnu::always_inline]] static inline void transpose_rows(const Scalar* src, int64_t ld, Scalar* dst) {
        static_assert(R == 4, "transpose_rows: 4 rows");
        const V r0 = load(src), r1 = load(src + ld), r2 = load(src + 2 * ld), r3 = load(src + 3 * ld);
        const V t0 = _mm256_unpacklo_ps(r0, r1), t1 = _mm256_unpackhi_ps(r0, r1);
        const V t2 = _mm256_unpacklo_ps(r2, r3), t3 = _mm256_unpackhi_ps(r2, r3);
        const V u0 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(1, 0, 1, 0)), u1 = _mm256_shuffle_ps(t0, t2, _MM_SHUFFLE(3, 2, 3, 2));
        const V u2 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(1, 0, 1, 0)), u3 = _mm256_shuffle_ps(t1, t3, _MM_SHUFFLE(3, 2, 3, 2));
        store(dst, _mm256_permute2f128_ps(u0, u1, 0x20));
        store(dst + 8, _mm256_permute2f128_ps(u2, u3, 0x20));
        store(dst + 16, _mm256_permute2f128_ps(u0, u1, 0x31));
        store(dst + 24, _mm256_permute2f128_ps(u2, u3, 0x31));
    }
    static V zero() { return _mm256_setzero_ps(); }
    static V load(const Scalar* p) { return _mm256_loadu_ps(p); }
    // Lanes 0-3 from lo, 4-7 from hi.
    static V load_halves(const Scalar* lo, const Scalar* hi) { return _mm256_set_m128(_mm_loadu_ps(hi), _mm_loadu_ps(lo)); }
    static void store(Scalar* p, V v) { _mm256_storeu_ps(p, v); }
    static V set1(Scalar x) { return _mm256_set1_ps(x); }
    static V fma(V a, V b, V c) { return _mm256_fmadd_ps(a, b, c); }
    static V mul(V a, V b) { return _mm256_mul_ps(a, b); }
    static V add(V a, V b) { return _mm256_add_ps(a, b); }
    static V relu(V x) { return _mm256_max_ps(x, zero()); }  // max(NaN, 0) = 0, as act_forward
    static V leaky(V x, V s) { return _mm256_blendv_ps(_mm256_mul_ps(x, s), x, _mm256_cmp_ps(x, zero(), _CMP_GT_OQ)); }
    static V select_pos(V s, V a, V b) { return _mm256_blendv_ps(b, a, _mm256_cmp_ps(s, zero(), _CMP_GT_OQ)); }  // s > 0 ? a : b
    // dst[q * dst_ld + j] = src[j * ld + q] for j, q < 8 (packing a transposed B).
    [[gnu::always_inline]] static inline void transpose(const Scalar* src, int64_t ld, Scalar* dst, int64_t dst_ld) {
        V r[8], t[8], s[8];
        for (int j = 0; j < 8; ++j) r[j] = load(src + j * ld);
        for (int j = 0; j < 8; j += 2) t[j] = _mm256_unpacklo_ps(r[j], r[j + 1]), t[j + 1] = _mm256_unpackhi_ps(r[j], r[j + 1]);
        for (int j = 0; j < 8; j += 4) {
            s[j] = _mm256_shuffle_ps(t[j], t[j + 2], _MM_SHUFFLE(1, 0, 1, 0));
            s[j + 1] = _mm256_shuffle_ps(t[j], t[j + 2], _MM_SHUFFLE(3, 2, 3, 2));
            s[j + 2] = _mm256_shuffle_ps(t[j + 1], t[j + 3], _MM_SHUFFLE(1, 0, 1, 0));
            s[j + 3] = _mm256_shuffle_ps(t[j + 1], t[j + 3], _MM_SHUFFLE(3, 2, 3, 2));
        }
        for (int q = 0; q < 4; ++q) {
            store(dst + q * dst_ld, _mm256_permute2f128_ps(s[q], s[q + 4], 0x20));
            store(dst + (q + 4) * dst_ld, _mm256_permute2f128_ps(s[q], s[q + 4], 0x31));
        }
    }
};

struct VecF64 {
    using Scalar = double;
    using V = __m256d;
    static constexpr int W = 4;
    template <int64_t R>
    static constexpr bool kTransposeRows = false;
    static V zero() { return _mm256_setzero_pd(); }
    static V load(const Scalar* p) { return _mm256_loadu_pd(p); }
    static void store(Scalar* p, V v) { _mm256_storeu_pd(p, v); }
    static V set1(Scalar x) { return _mm256_set1_pd(x); }
    static V fma(V a, V b, V c) { return _mm256_fmadd_pd(a, b, c); }
    static V mul(V a, V b) { return _mm256_mul_pd(a, b); }
    static V add(V a, V b) { return _mm256_add_pd(a, b); }
    static V relu(V x) { return _mm256_max_pd(x, zero()); }
    static V leaky(V x, V s) { return _mm256_blendv_pd(_mm256_mul_pd(x, s), x, _mm256_cmp_pd(x, zero(), _CMP_GT_OQ)); }
    static V select_pos(V s, V a, V b) { return _mm256_blendv_pd(b, a, _mm256_cmp_pd(s, zero(), _CMP_GT_OQ)); }
    // dst[q * dst_ld + j] = src[j * ld + q] for j, q < 4.
    [[gnu::always_inline]] static inline void transpose(const Scalar* src, int64_t ld, Scalar* dst, int64_t dst_ld) {
        const V r0 = load(src), r1 = load(src + ld), r2 = load(src + 2 * ld), r3 = load(src + 3 * ld);
        const V t0 = _mm256_unpacklo_pd(r0, r1), t1 = _mm256_unpackhi_pd(r0, r1);
        const V t2 = _mm256_unpacklo_pd(r2, r3), t3 = _mm256_unpackhi_pd(r2, r3);
        store(dst, _mm256_permute2f128_pd(t0, t2, 0x20));
        store(dst + dst_ld, _mm256_permute2f128_pd(t1, t3, 0x20));
        store(dst + 2 * dst_ld, _mm256_permute2f128_pd(t0, t2, 0x31));
        store(dst + 3 * dst_ld, _mm256_permute2f128_pd(t1, t3, 0x31));
    }
};

}  // namespace rp::kernels::RP_ISA
