// The few vector operations the optimizer rules use, for one lane (T) and, when the including
// TU is compiled with AVX2+FMA, for a 256-bit register. Included inside rp::kernels::RP_ISA by
// optim_rules.h so each instruction set gets its own copy (no cross-ISA inline merging).
// Every operation is a correctly rounded IEEE operation, so a lane of the vector path and the
// scalar path give the same bits: the tail of a tensor matches its body.
// (immintrin.h is included by optim_rules.h, outside the namespace.)

// One element at a time: the baseline path and every tensor's tail.
template <typename T>
struct Lane {
    using V = T;
    static constexpr int64_t W = 1;
    static V load(const T* p) { return *p; }
    static void store(T* p, V v) { *p = v; }
    static V set1(double x) { return static_cast<T>(x); }
};

inline float fmadd(float a, float b, float c) {
#ifdef __FMA__
    return __builtin_fmaf(a, b, c);
#else
    return a * b + c;
#endif
}
inline double fmadd(double a, double b, double c) {
#ifdef __FMA__
    return __builtin_fma(a, b, c);
#else
    return a * b + c;
#endif
}
inline float vsqrt(float a) { return __builtin_sqrtf(a); }
inline double vsqrt(double a) { return __builtin_sqrt(a); }
// (a > b) ? a : b, as _mm256_max_ps: a NaN in b propagates (torch.maximum of the running max
// with a NaN second moment is NaN).
inline float vmax(float a, float b) { return a > b ? a : b; }
inline double vmax(double a, double b) { return a > b ? a : b; }
inline float vselect(bool c, float a, float b) { return c ? a : b; }
inline double vselect(bool c, double a, double b) { return c ? a : b; }

#ifdef __AVX2__
struct F8 {
    __m256 v;
};
struct D4 {
    __m256d v;
};
inline F8 operator+(F8 a, F8 b) { return {_mm256_add_ps(a.v, b.v)}; }
inline F8 operator-(F8 a, F8 b) { return {_mm256_sub_ps(a.v, b.v)}; }
inline F8 operator*(F8 a, F8 b) { return {_mm256_mul_ps(a.v, b.v)}; }
inline F8 operator/(F8 a, F8 b) { return {_mm256_div_ps(a.v, b.v)}; }
inline F8 fmadd(F8 a, F8 b, F8 c) { return {_mm256_fmadd_ps(a.v, b.v, c.v)}; }
inline F8 vsqrt(F8 a) { return {_mm256_sqrt_ps(a.v)}; }
inline F8 vmax(F8 a, F8 b) { return {_mm256_max_ps(a.v, b.v)}; }
inline F8 vselect(bool c, F8 a, F8 b) { return c ? a : b; }
inline D4 operator+(D4 a, D4 b) { return {_mm256_add_pd(a.v, b.v)}; }
inline D4 operator-(D4 a, D4 b) { return {_mm256_sub_pd(a.v, b.v)}; }
inline D4 operator*(D4 a, D4 b) { return {_mm256_mul_pd(a.v, b.v)}; }
inline D4 operator/(D4 a, D4 b) { return {_mm256_div_pd(a.v, b.v)}; }
inline D4 fmadd(D4 a, D4 b, D4 c) { return {_mm256_fmadd_pd(a.v, b.v, c.v)}; }
inline D4 vsqrt(D4 a) { return {_mm256_sqrt_pd(a.v)}; }
inline D4 vmax(D4 a, D4 b) { return {_mm256_max_pd(a.v, b.v)}; }
inline D4 vselect(bool c, D4 a, D4 b) { return c ? a : b; }

template <typename T>
struct Pack;
template <>
struct Pack<float> {
    using V = F8;
    static constexpr int64_t W = 8;
    static V load(const float* p) { return {_mm256_loadu_ps(p)}; }
    static void store(float* p, V v) { _mm256_storeu_ps(p, v.v); }
    static V set1(double x) { return {_mm256_set1_ps(static_cast<float>(x))}; }
};
template <>
struct Pack<double> {
    using V = D4;
    static constexpr int64_t W = 4;
    static V load(const double* p) { return {_mm256_loadu_pd(p)}; }
    static void store(double* p, V v) { _mm256_storeu_pd(p, v.v); }
    static V set1(double x) { return {_mm256_set1_pd(x)}; }
};
#else
template <typename T>
using Pack = Lane<T>;
#endif

// Runs body(Ops{}, i) over [0, n): full registers two at a time (independent iterations the
// core overlaps: sqrt/div latency hides behind the other register's loads; -10% at 669k Adam),
// then the tail one lane at a time.
template <typename T, typename Body>
inline void sweep(int64_t n, Body&& body) {
    int64_t i = 0;
    if constexpr (Pack<T>::W > 1) {
        constexpr int64_t W = Pack<T>::W;
        for (; i + 2 * W <= n; i += 2 * W) {
            body(Pack<T>{}, i);
            body(Pack<T>{}, i + W);
        }
        for (; i + W <= n; i += W) body(Pack<T>{}, i);
    }
    for (; i < n; ++i) body(Lane<T>{}, i);
}
