// Element-wise activations over arrays, forward and backward side by side, each fast kernel
// beside its readable reference (a loop over the scalar functions of activation/activation.h).
// Pure functions on raw pointers; llm.c argument order: outputs, gradients, inputs, sizes.
#pragma once
#include <cstdint>

#include "kernels/activation/activation.h"

namespace rp::kernels {

// d act / dx written in terms of the output y = act(x), for the activations where y determines
// it: relu, leaky_relu (slope >= 0), tanh, sigmoid, none. The fused Linear + activation saves
// only its output, so its backward needs this form.
template <typename T>
inline T act_derivative_from_output(Act act, T y, T slope) {
    switch (act) {
        case Act::relu: return y > T(0) ? T(1) : T(0);
        case Act::leaky_relu: return y > T(0) ? T(1) : slope;
        case Act::tanh: return T(1) - y * y;
        case Act::sigmoid: return y * (T(1) - y);
        default: return T(1);
    }
}

inline bool act_invertible_from_output(Act act, double slope) {
    return act == Act::none || act == Act::relu || act == Act::tanh || act == Act::sigmoid || (act == Act::leaky_relu && slope >= 0);
}

// The references: loops over the scalar functions of activation/activation.h.
// y[n] = act(x[n]). y may alias x.
template <typename T>
void act_forward_reference(T* y, const T* x, int64_t n, Act act, T slope);
// dx[n] = dy[n] * act'(x[n]), x the activation's input. dx may alias dy.
template <typename T>
void act_backward_reference(T* dx, const T* dy, const T* x, int64_t n, Act act, T slope);
// dx[n] = dy[n] * act'(.) from the output y[n] (see act_derivative_from_output). dx may alias dy.
template <typename T>
void act_backward_from_output_reference(T* dx, const T* dy, const T* y, int64_t n, Act act, T slope);

// The fast kernels, one set per instruction set (act_rules.h compiled by act_<isa>.cpp), same
// contracts as the references; the transcendental ones are vectorized (act_vec.h).
#define RP_DECLARE_ACT(T)                                                                     \
    void act_forward(T* y, const T* x, int64_t n, Act act, T slope);                                \
    void act_backward(T* dx, const T* dy, const T* x, int64_t n, Act act, T slope);                 \
    void act_backward_from_output(T* dx, const T* dy, const T* y, int64_t n, Act act, T slope);       \
    void exp_array(T* y, const T* x, int64_t n); /* y[i] = exp(x[i]); y may alias x */
namespace baseline {
RP_DECLARE_ACT(float)
RP_DECLARE_ACT(double)
}  // namespace baseline
namespace avx2 {
RP_DECLARE_ACT(float)
RP_DECLARE_ACT(double)
}  // namespace avx2
#undef RP_DECLARE_ACT

}  // namespace rp::kernels
