// Portable SIMD traits for the baseline build: GCC/Clang vector extensions of 16 bytes, which the
// compiler lowers to SSE2 on x86-64 (NEON on arm64). Same interface as gemm_simd_avx2.h.
#include <cstdint>
#include <cstring>

namespace rp::kernels::RP_ISA {

typedef float f32x4 __attribute__((vector_size(16)));
typedef double f64x2 __attribute__((vector_size(16)));

template <typename T, typename Vec>  // Vec: the 16-byte vector of T (the attribute needs a concrete type)
struct VecPortable {
    using Scalar = T;
    using V = Vec;
    static constexpr int W = 16 / sizeof(T);
    template <int64_t R>
    static constexpr bool kTransposeRows = false;
    static V zero() { return V{}; }
    static V load(const T* p) {
        V v;
        std::memcpy(&v, p, sizeof v);
        return v;
    }
    static void store(T* p, V v) { std::memcpy(p, &v, sizeof v); }
    static V set1(T x) { return V{} + x; }
    static V fma(V a, V b, V c) { return a * b + c; }  // no FMA in SSE2: mul then add
    static V mul(V a, V b) { return a * b; }
    static V add(V a, V b) { return a + b; }
    static V relu(V x) { return x > V{} ? x : V{}; }  // NaN -> 0, as act_forward
    static V leaky(V x, V slope) { return x > V{} ? x : x * slope; }
    static V select_pos(V s, V a, V b) { return s > V{} ? a : b; }
    [[gnu::always_inline]] static inline void transpose(const Scalar* src, int64_t ld, Scalar* dst, int64_t dst_ld) {
        for (int j = 0; j < W; ++j)
            for (int q = 0; q < W; ++q) dst[q * dst_ld + j] = src[j * ld + q];
    }
};
using VecF32 = VecPortable<float, f32x4>;
using VecF64 = VecPortable<double, f64x2>;

}  // namespace rp::kernels::RP_ISA
