// The element-wise activation kernels, written once over the vector functions of act_vec.h and
// compiled once per instruction set: kernels/nn/act_<isa>.cpp defines RP_ISA and RP_VBYTES and
// includes this file with its own flags. The readable references are the scalar functions of
// activation/activation.h (looped in act.cpp). Where the reference formula cancels (sigmoid'
// and tanh' from 1 - s, gelu_tanh's 1 + tanh for x < 0), these use the equivalent form through
// sigma(x) and sigma(-x), which keeps relative accuracy; special values (NaN, +-inf) give the
// reference's results.
#ifndef RP_ISA
#error "define RP_ISA (the instruction-set namespace) before including act_rules.h"
#endif
#include <climits>
#include <cstddef>
#include <cstdint>

#include "kernels/nn/act.h"
#include "kernels/nn/act_coeffs.h"

namespace rp::kernels::RP_ISA {

#include "kernels/nn/act_vec.h"

namespace {

constexpr double kGeluTanhC = 0.79788456080286535588, kGeluTanhK = 0.044715;  // sqrt(2/pi), cubic term

// out[i] = f(a[i]), or out[i] = a[i] * f(b[i]) with a second input: a full vector at a time,
// the tail through a zero-padded vector. out may alias a or b (each vector is loaded first).
template <typename T, typename F>
void map1(T* out, const T* x, int64_t n, F f) {
    using V = VOf<T>;
    constexpr int64_t W = Vec<T>::W;
    int64_t i = 0;
    for (; i + W <= n; i += W) {
        V v;
        __builtin_memcpy(&v, x + i, sizeof v);
        const V r = f(v);
        __builtin_memcpy(out + i, &r, sizeof r);
    }
    if (i == n) return;
    V v = {};
    __builtin_memcpy(&v, x + i, size_t(n - i) * sizeof(T));
    const V r = f(v);
    __builtin_memcpy(out + i, &r, size_t(n - i) * sizeof(T));
}

template <typename T, typename F>
void map2(T* out, const T* g, const T* x, int64_t n, F f) {
    using V = VOf<T>;
    constexpr int64_t W = Vec<T>::W;
    int64_t i = 0;
    for (; i + W <= n; i += W) {
        V u, v;
        __builtin_memcpy(&u, g + i, sizeof u);
        __builtin_memcpy(&v, x + i, sizeof v);
        const V r = u * f(v);
        __builtin_memcpy(out + i, &r, sizeof r);
    }
    if (i == n) return;
    V u = {}, v = {};
    __builtin_memcpy(&u, g + i, size_t(n - i) * sizeof(T));
    __builtin_memcpy(&v, x + i, size_t(n - i) * sizeof(T));
    const V r = u * f(v);
    __builtin_memcpy(out + i, &r, size_t(n - i) * sizeof(T));
}

// gelu_tanh's u = sqrt(2/pi) (x + 0.044715 x^3): 0.5 x (1 + tanh u) = x sigma(2u).
template <typename T>
inline VOf<T> gelu_tanh_u(VOf<T> x) {
    return T(kGeluTanhC) * (x + T(kGeluTanhK) * x * x * x);
}

template <typename T>
void forward_impl(T* y, const T* x, int64_t n, Act act, T slope) {
    using V = VOf<T>;
    switch (act) {
        case Act::none:
            if (y != x) __builtin_memmove(y, x, size_t(n) * sizeof(T));
            return;
        case Act::relu: return map1(y, x, n, [](V v) { return v > T(0) ? v : V{}; });
        case Act::leaky_relu: return map1(y, x, n, [slope](V v) { return v > T(0) ? v : v * slope; });
        case Act::gelu:
            return map1(y, x, n, [](V v) {
                V cdf, e;
                normal_cdf<T>(v, cdf, e);
                return v * cdf;
            });
        case Act::gelu_tanh:
            return map1(y, x, n, [](V v) {
                V sp, sm;
                logistic<T>(T(2) * gelu_tanh_u<T>(v), sp, sm);
                return v * sp;
            });
        case Act::silu:
            return map1(y, x, n, [](V v) {
                V sp, sm;
                logistic<T>(v, sp, sm);
                return v * sp;
            });
        case Act::tanh: return map1(y, x, n, [](V v) { return vtanh<T>(v); });
        case Act::sigmoid:
            return map1(y, x, n, [](V v) {
                V sp, sm;
                logistic<T>(v, sp, sm);
                return sp;
            });
    }
}

// d act / dx from the input x; the forms are the reference's, rewritten through sigma(+-x).
template <typename T>
void backward_impl(T* dx, const T* dy, const T* x, int64_t n, Act act, T slope) {
    using V = VOf<T>;
    switch (act) {
        case Act::none: return map2(dx, dy, x, n, [](V) { return splat<T>(T(1)); });
        case Act::relu: return map2(dx, dy, x, n, [](V v) { return v > T(0) ? splat<T>(T(1)) : V{}; });
        case Act::leaky_relu: return map2(dx, dy, x, n, [slope](V v) { return v > T(0) ? splat<T>(T(1)) : splat<T>(slope); });
        case Act::gelu:  // Phi(x) + x phi(x)
            return map2(dx, dy, x, n, [](V v) {
                V cdf, e;
                normal_cdf<T>(v, cdf, e);
                return cdf + v * (e * T(0.39894228040143267794));
            });
        case Act::gelu_tanh:  // 0.5 (1 + t) + 0.5 x (1 - t^2) u' = s+ + 2 x s+ s- u'
            return map2(dx, dy, x, n, [](V v) {
                V sp, sm;
                logistic<T>(T(2) * gelu_tanh_u<T>(v), sp, sm);
                // u' from x clamped to +-1e3 (where s+ s- has long underflowed): x^2 would
                // overflow and turn 0 * inf into NaN at large finite x; +-inf still give NaN.
                const V vc = v < T(-1e3) ? splat<T>(T(-1e3)) : (v > T(1e3) ? splat<T>(T(1e3)) : v);
                const V du = T(kGeluTanhC) * (T(1) + T(3 * kGeluTanhK) * vc * vc);
                return sp + v * (T(2) * sp * sm * du);  // not (2 x) first: it overflows at x = -FLT_MAX
            });
        case Act::silu:  // s (1 + x (1 - s))
            return map2(dx, dy, x, n, [](V v) {
                V sp, sm;
                logistic<T>(v, sp, sm);
                return sp * (T(1) + v * sm);
            });
        case Act::tanh:  // 1 - tanh^2 = 4 sigma(2x) sigma(-2x)
            return map2(dx, dy, x, n, [](V v) {
                V sp, sm;
                logistic<T>(T(2) * v, sp, sm);
                return T(4) * sp * sm;
            });
        case Act::sigmoid:
            return map2(dx, dy, x, n, [](V v) {
                V sp, sm;
                logistic<T>(v, sp, sm);
                return sp * sm;
            });
    }
}

// d act / dx from the output y (act_derivative_from_output): no transcendental functions.
template <typename T>
void backward_from_output_impl(T* dx, const T* dy, const T* y, int64_t n, Act act, T slope) {
    using V = VOf<T>;
    switch (act) {
        case Act::relu: return map2(dx, dy, y, n, [](V v) { return v > T(0) ? splat<T>(T(1)) : V{}; });
        case Act::leaky_relu: return map2(dx, dy, y, n, [slope](V v) { return v > T(0) ? splat<T>(T(1)) : splat<T>(slope); });
        case Act::tanh: return map2(dx, dy, y, n, [](V v) { return T(1) - v * v; });
        case Act::sigmoid: return map2(dx, dy, y, n, [](V v) { return v * (T(1) - v); });
        default: return map2(dx, dy, y, n, [](V) { return splat<T>(T(1)); });
    }
}

}  // namespace

void act_forward(float* y, const float* x, int64_t n, Act act, float slope) { forward_impl(y, x, n, act, slope); }
void act_forward(double* y, const double* x, int64_t n, Act act, double slope) { forward_impl(y, x, n, act, slope); }
void act_backward(float* dx, const float* dy, const float* x, int64_t n, Act act, float slope) {
    backward_impl(dx, dy, x, n, act, slope);
}
void act_backward(double* dx, const double* dy, const double* x, int64_t n, Act act, double slope) {
    backward_impl(dx, dy, x, n, act, slope);
}
void act_backward_from_output(float* dx, const float* dy, const float* y, int64_t n, Act act, float slope) {
    backward_from_output_impl(dx, dy, y, n, act, slope);
}
void act_backward_from_output(double* dx, const double* dy, const double* y, int64_t n, Act act, double slope) {
    backward_from_output_impl(dx, dy, y, n, act, slope);
}
void exp_array(float* y, const float* x, int64_t n) { map1(y, x, n, [](VOf<float> v) { return vexp<float>(v); }); }
void exp_array(double* y, const double* x, int64_t n) { map1(y, x, n, [](VOf<double> v) { return vexp<double>(v); }); }

}  // namespace rp::kernels::RP_ISA
