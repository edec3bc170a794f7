// Vectorized exp, tanh, logistic and normal CDF on GCC vector types, for the activation kernels
// of act_rules.h. Included inside rp::kernels::RP_ISA by act_rules.h, so each instruction set
// gets its own copy (no cross-ISA inline merging); RP_VBYTES is the register width in bytes.
// No libm calls: Cody-Waite range reduction, then the polynomials of act_coeffs.h (fitted by
// tools/fit_erfc.py). NaN in gives NaN out, +-inf give the correct limits, overflow gives inf
// and underflow goes gradually through the subnormals.

template <typename T>
struct Vec;
template <>
struct Vec<float> {
    typedef float V __attribute__((vector_size(RP_VBYTES)));
    typedef int32_t I __attribute__((vector_size(RP_VBYTES)));
    static constexpr int W = RP_VBYTES / 4;
    // exp saturates beyond these (e^-105 < half the least subnormal, e^90 > FLT_MAX).
    static constexpr float exp_lo = -105.0f, exp_hi = 90.0f;
    // ln 2 = ln2_hi + ln2_lo, ln2_hi with 9 significant bits so k * ln2_hi is exact.
    static constexpr float ln2_hi = 0.693359375f, ln2_lo = -2.12194440e-4f;
    static constexpr float magic = 12582912.0f;  // 1.5 * 2^23: (x + magic) - magic rounds x to an integer
    static constexpr int32_t magic_bits = 0x4B400000, exp_bias = 127, mant_bits = 23;
    static constexpr int32_t sign_bit = INT32_MIN;
    static constexpr int32_t split_mask = int32_t(0xFFFFF000u);  // keeps 12 of 24 bits: hi * hi is exact
    static constexpr const auto& exp_e = act_coeffs::exp_e_f;
    static constexpr const auto& tanh_t = act_coeffs::tanh_t_f;
    static constexpr const auto& erfc_t = act_coeffs::erfc_t_f;
};
template <>
struct Vec<double> {
    typedef double V __attribute__((vector_size(RP_VBYTES)));
    typedef int64_t I __attribute__((vector_size(RP_VBYTES)));
    static constexpr int W = RP_VBYTES / 8;
    static constexpr double exp_lo = -746.0, exp_hi = 710.0;
    static constexpr double ln2_hi = 6.93145751953125e-1, ln2_lo = 1.42860682030941723212e-6;  // 21 bits
    static constexpr double magic = 6755399441055744.0;  // 1.5 * 2^52
    static constexpr int64_t magic_bits = 0x4338000000000000LL, exp_bias = 1023, mant_bits = 52;
    static constexpr int64_t sign_bit = INT64_MIN;
    static constexpr int64_t split_mask = int64_t(0xFFFFFFFFF8000000ull);  // keeps 26 of 53 bits
    static constexpr const auto& exp_e = act_coeffs::exp_e_d;
    static constexpr const auto& tanh_t = act_coeffs::tanh_t_d;
    static constexpr const auto& erfc_t = act_coeffs::erfc_t_d;
};

template <typename T>
using VOf = typename Vec<T>::V;
template <typename T>
using IOf = typename Vec<T>::I;

template <typename T>
inline VOf<T> splat(T c) {
    return VOf<T>{} + c;
}

// Horner's rule over a coefficient table, highest degree first.
template <typename V, typename T, size_t N>
inline V horner(V w, const T (&c)[N]) {
    V p = V{} + c[0];
    for (size_t i = 1; i < N; ++i) p = p * w + c[i];
    return p;
}

template <typename T>
inline VOf<T> vabs(VOf<T> x) {
    using I = IOf<T>;
    return (VOf<T>)((I)x & ~(I{} + Vec<T>::sign_bit));
}

// |m| with the sign of s (m >= 0).
template <typename T>
inline VOf<T> with_sign_of(VOf<T> m, VOf<T> s) {
    using I = IOf<T>;
    return (VOf<T>)((I)m | ((I)s & (I{} + Vec<T>::sign_bit)));
}

// 2^k for integral k in the normal exponent range, built in the exponent field.
template <typename T>
inline VOf<T> pow2(VOf<T> k) {
    using C = Vec<T>;
    using I = IOf<T>;
    const I n = (I)(k + C::magic) - C::magic_bits;
    return (VOf<T>)((n + C::exp_bias) << C::mant_bits);
}

// exp(hi + lo) for |lo| << 1: lo joins the reduced argument, so a hi + lo pair carries more
// precision than one number (used for exp(-a^2) with a^2 split exactly).
template <typename T>
inline VOf<T> exp_hilo(VOf<T> hi, VOf<T> lo) {
    using C = Vec<T>;
    using V = VOf<T>;
    const V x = hi < C::exp_lo ? splat<T>(C::exp_lo) : (hi > C::exp_hi ? splat<T>(C::exp_hi) : hi);
    const V k = (x * T(1.44269504088896340736) + C::magic) - C::magic;  // round(x / ln 2)
    const V r = (x - k * C::ln2_hi) - k * C::ln2_lo + (x == hi ? lo : V{});
    const V p = (r + r * r * horner(r, C::exp_e)) + T(1);
    // 2^k in two factors: k reaches past the normal exponent range at both ends, and scaling in
    // two steps overflows to inf or rounds once into the subnormals where the result does.
    const V k1 = (k * T(0.5) + C::magic) - C::magic;
    const V y = p * pow2<T>(k1) * pow2<T>(k - k1);
    return hi == hi ? y : hi;
}

template <typename T>
inline VOf<T> vexp(VOf<T> x) {
    return exp_hilo<T>(x, VOf<T>{});
}

// tanh: the odd polynomial near 0 (where 1 - 2/(e^2x + 1) would cancel), else from exp(-2|x|).
template <typename T>
inline VOf<T> vtanh(VOf<T> x) {
    using V = VOf<T>;
    const V a = vabs<T>(x), s = x * x;
    const V small = x + x * s * horner(s, Vec<T>::tanh_t);
    const V e = vexp<T>(T(-2) * a);
    const V big = with_sign_of<T>((T(1) - e) / (T(1) + e), x);
    return a < T(0.625) ? small : big;
}

// sigma(x) and sigma(-x) = 1 - sigma(x), both from e = exp(-|x|) <= 1: no overflow, and the small
// one keeps its relative accuracy (1 - sigma would cancel).
template <typename T>
inline void logistic(VOf<T> x, VOf<T>& pos, VOf<T>& neg) {
    using V = VOf<T>;
    const V e = vexp<T>(-vabs<T>(x));
    const V d = T(1) / (T(1) + e), small = e * d;
    pos = x >= T(0) ? d : small;
    neg = x >= T(0) ? small : d;
}

// Phi(x), the standard normal CDF (gelu's gate), and exp(-x^2/2). With a = |x|/sqrt2,
// erfc(a) = exp(-a^2) t P(2t - 1), t = 1/(1 + a/2), one fitted piece for every a, and Phi is
// erfc(a)/2 for x < 0 or 1 - erfc(a)/2: it keeps its relative accuracy far into the left tail,
// and where 1 - erfc/2 is used the result is >= 1/2, so nothing cancels.
template <typename T>
inline void normal_cdf(VOf<T> x, VOf<T>& cdf, VOf<T>& ez2) {
    using C = Vec<T>;
    using V = VOf<T>;
    using I = IOf<T>;
    // exp(-x^2/2) from x itself (a = |x|/sqrt2 carries a rounding that x^2/2 ~ 700 would
    // magnify), with x^2 = xh^2 + xl (x + xh) split so that xh^2 is exact.
    const V xh = (V)((I)x & C::split_mask), xl = x - xh;
    ez2 = exp_hilo<T>(T(-0.5) * (xh * xh), T(-0.5) * (xl * (x + xh)));
    const V a = vabs<T>(x) * T(0.70710678118654752440);
    const V t = T(1) / (T(1) + T(0.5) * a);
    const V half_erfc = T(0.5) * ez2 * (t * horner(T(2) * t - T(1), C::erfc_t));
    cdf = x > T(0) ? T(1) - half_erfc : half_erfc;
}
