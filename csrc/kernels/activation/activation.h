// Scalar activation functions and their derivatives: the readable reference that the
// GEMM epilogue and the element-wise kernels are checked against. Pure functions, no state.
#pragma once
#include <cmath>
#include <cstdint>

namespace rp::kernels {

// The activations a Linear layer can fuse into its GEMM epilogue. The numeric values are part
// of the binding interface (retroprop._core.Act mirrors them).
enum class Act : int32_t { none = 0, relu = 1, leaky_relu = 2, gelu = 3, gelu_tanh = 4, silu = 5, tanh = 6, sigmoid = 7 };

template <typename T>
inline T act_forward(Act act, T x, T slope) {
    switch (act) {
        case Act::none: return x;
        case Act::relu: return x > T(0) ? x : T(0);
        case Act::leaky_relu: return x > T(0) ? x : x * slope;
        case Act::gelu: return T(0.5) * x * (T(1) + std::erf(x * T(0.70710678118654752440)));
        case Act::gelu_tanh: {
            const T c = T(0.79788456080286535588);  // sqrt(2/pi)
            return T(0.5) * x * (T(1) + std::tanh(c * (x + T(0.044715) * x * x * x)));
        }
        case Act::silu: return x / (T(1) + std::exp(-x));
        case Act::tanh: return std::tanh(x);
        case Act::sigmoid: return T(1) / (T(1) + std::exp(-x));
    }
    return x;
}

// d act(x) / dx, written in terms of the pre-activation x.
template <typename T>
inline T act_derivative(Act act, T x, T slope) {
    switch (act) {
        case Act::none: return T(1);
        case Act::relu: return x > T(0) ? T(1) : T(0);
        case Act::leaky_relu: return x > T(0) ? T(1) : slope;
        case Act::gelu: {
            const T cdf = T(0.5) * (T(1) + std::erf(x * T(0.70710678118654752440)));
            const T pdf = std::exp(T(-0.5) * x * x) * T(0.39894228040143267794);  // 1/sqrt(2pi)
            return cdf + x * pdf;
        }
        case Act::gelu_tanh: {
            const T c = T(0.79788456080286535588);
            const T u = c * (x + T(0.044715) * x * x * x);
            const T t = std::tanh(u);
            const T du = c * (T(1) + T(3) * T(0.044715) * x * x);
            return T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * du;
        }
        case Act::silu: {
            const T s = T(1) / (T(1) + std::exp(-x));
            return s * (T(1) + x * (T(1) - s));
        }
        case Act::tanh: {
            const T t = std::tanh(x);
            return T(1) - t * t;
        }
        case Act::sigmoid: {
            const T s = T(1) / (T(1) + std::exp(-x));
            return s * (T(1) - s);
        }
    }
    return T(1);
}

}  // namespace rp::kernels
