// The activation kernels' readable references: loops over the scalar functions of
// activation/activation.h (and act_derivative_from_output), the switch inside the loop. The
// fast per-instruction-set kernels (act_rules.h) are tested against these.
#include "kernels/nn/act.h"

namespace rp::kernels {

template <typename T>
void act_forward_reference(T* y, const T* x, int64_t n, Act act, T slope) {
    for (int64_t i = 0; i < n; ++i) y[i] = act_forward(act, x[i], slope);
}

template <typename T>
void act_backward_reference(T* dx, const T* dy, const T* x, int64_t n, Act act, T slope) {
    for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * act_derivative(act, x[i], slope);
}

template <typename T>
void act_backward_from_output_reference(T* dx, const T* dy, const T* y, int64_t n, Act act, T slope) {
    for (int64_t i = 0; i < n; ++i) dx[i] = dy[i] * act_derivative_from_output(act, y[i], slope);
}

#define RP_INSTANTIATE(T)                                                                   \
    template void act_forward_reference<T>(T*, const T*, int64_t, Act, T);                  \
    template void act_backward_reference<T>(T*, const T*, const T*, int64_t, Act, T);       \
    template void act_backward_from_output_reference<T>(T*, const T*, const T*, int64_t, Act, T);
RP_INSTANTIATE(float)
RP_INSTANTIATE(double)
#undef RP_INSTANTIATE

}  // namespace rp::kernels
