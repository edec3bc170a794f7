// Element-wise activation kernels. The fast versions hoist the switch on the activation out of
// the loop (one template instance per activation), so the loop bodies are branch-free and the
// compiler vectorizes the ones without transcendental calls (relu, leaky_relu, the derivatives
// from the output). The references loop over the scalar functions with the switch inside.
#include "kernels/nn/act.h"

namespace rp::kernels {
namespace {

template <Act A, typename T>
void forward_loop(T* __restrict y, const T* __restrict x, int64_t n, T slope) {
    for (int64_t i = 0; i < n; ++i) y[i] = act_forward(A, x[i], slope);
}

template <Act A, typename T>
void backward_loop(T* dx, const T* dy, const T* __restrict x, int64_t n, T slope) {
    for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * act_derivative(A, x[i], slope);
}

template <Act A, typename T>
void backward_from_output_loop(T* dx, const T* dy, const T* __restrict y, int64_t n, T slope) {
    for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * act_derivative_from_output(A, y[i], slope);
}

// Calls LOOP<act>(args...) with the activation as a compile-time constant.
#define RP_ACT_SWITCH(act, LOOP, ...)                                                \
    switch (act) {                                                                   \
        case Act::none: return LOOP<Act::none>(__VA_ARGS__);                         \
        case Act::relu: return LOOP<Act::relu>(__VA_ARGS__);                         \
        case Act::leaky_relu: return LOOP<Act::leaky_relu>(__VA_ARGS__);             \
        case Act::gelu: return LOOP<Act::gelu>(__VA_ARGS__);                         \
        case Act::gelu_tanh: return LOOP<Act::gelu_tanh>(__VA_ARGS__);               \
        case Act::silu: return LOOP<Act::silu>(__VA_ARGS__);                         \
        case Act::tanh: return LOOP<Act::tanh>(__VA_ARGS__);                         \
        case Act::sigmoid: return LOOP<Act::sigmoid>(__VA_ARGS__);                   \
    }

}  // namespace

template <typename T>
void act_forward(T* y, const T* x, int64_t n, Act act, T slope) {
    if (y == x) {  // in place: no __restrict promise, same scalar loop
        for (int64_t i = 0; i < n; ++i) y[i] = act_forward(act, x[i], slope);
        return;
    }
    RP_ACT_SWITCH(act, forward_loop, y, x, n, slope)
}

template <typename T>
void act_forward_reference(T* y, const T* x, int64_t n, Act act, T slope) {
    for (int64_t i = 0; i < n; ++i) y[i] = act_forward(act, x[i], slope);
}

template <typename T>
void act_backward(T* dx, const T* dy, const T* x, int64_t n, Act act, T slope) {
    RP_ACT_SWITCH(act, backward_loop, dx, dy, x, n, slope)
}

template <typename T>
void act_backward_reference(T* dx, const T* dy, const T* x, int64_t n, Act act, T slope) {
    for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * act_derivative(act, x[i], slope);
}

template <typename T>
void act_backward_from_output(T* dx, const T* dy, const T* y, int64_t n, Act act, T slope) {
    RP_ACT_SWITCH(act, backward_from_output_loop, dx, dy, y, n, slope)
}

template <typename T>
void act_backward_from_output_reference(T* dx, const T* dy, const T* y, int64_t n, Act act, T slope) {
    for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * act_derivative_from_output(act, y[i], slope);
}

#undef RP_ACT_SWITCH

#define RP_INSTANTIATE(T)                                                                   \
    template void act_forward<T>(T*, const T*, int64_t, Act, T);                            \
    template void act_forward_reference<T>(T*, const T*, int64_t, Act, T);                  \
    template void act_backward<T>(T*, const T*, const T*, int64_t, Act, T);                 \
    template void act_backward_reference<T>(T*, const T*, const T*, int64_t, Act, T);       \
    template void act_backward_from_output<T>(T*, const T*, const T*, int64_t, Act, T);     \
    template void act_backward_from_output_reference<T>(T*, const T*, const T*, int64_t, Act, T);
RP_INSTANTIATE(float)
RP_INSTANTIATE(double)
#undef RP_INSTANTIATE

}  // namespace rp::kernels
