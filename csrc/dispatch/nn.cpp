// nn dispatch: checks that need the data, and the row split over OpenMP threads.
#include "dispatch/nn.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "dispatch/isa.h"
#include "kernels/nn/act.h"
#include "kernels/nn/bias.h"
#include "kernels/nn/softmax.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace rp::dispatch {
namespace {

// Below this many elements a parallel region costs more than it saves (rough figures: waking
// the threads costs a few microseconds, a core handles ~1e9 simple elements/s).
constexpr int64_t kParallelMin = int64_t(1) << 15;

// An activation's cost per element in units of a simple element (a load, an operation, a store),
// so the parallel threshold applies to the work rather than to the element count: the
// vectorized transcendental activations cost several times a relu.
int64_t act_cost(kernels::Act act, bool backward) {
    switch (act) {
        case kernels::Act::gelu: return 8;
        case kernels::Act::gelu_tanh:
        case kernels::Act::silu:
        case kernels::Act::tanh:
        case kernels::Act::sigmoid: return backward ? 5 : 4;
        default: return 1;
    }
}

// Calls f(row_begin, row_end) over [0, rows) in contiguous chunks, in parallel when the work
// (rows * cols elements) is large enough.
template <typename F>
void for_rows(int64_t rows, int64_t cols, F&& f) {
#ifdef _OPENMP
    if (rows > 1 && rows * cols >= kParallelMin) {
#pragma omp parallel
        {
            const int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
            const int64_t chunk = (rows + nt - 1) / nt, b = std::min(rows, t * chunk), e = std::min(rows, b + chunk);
            if (b < e) f(b, e);
        }
        return;
    }
#endif
    f(int64_t(0), rows);
}

void check_targets(const int64_t* targets, int64_t N, int64_t C, int64_t ignore_index, double ls) {
    if (!(ls >= 0.0 && ls <= 1.0))
        throw std::invalid_argument("cross_entropy: label_smoothing must be in [0, 1], got " + std::to_string(ls));
    for (int64_t n = 0; n < N; ++n) {
        const int64_t t = targets[n];
        if (t != ignore_index && (t < 0 || t >= C))
            throw std::invalid_argument("cross_entropy: target " + std::to_string(t) + " at position " + std::to_string(n) +
                                        " is out of bounds for " + std::to_string(C) + " classes");
    }
}

// The active instruction set's activation kernels (or the references), as function pointers.
template <typename T>
using ActForward = void (*)(T*, const T*, int64_t, kernels::Act, T);

template <typename T>
ActForward<T> pick_act_forward(bool reference) {
    if (reference) return &kernels::act_forward_reference<T>;
#ifdef RP_HAVE_AVX2
    if (use_avx2_kernels()) return static_cast<ActForward<T>>(&kernels::avx2::act_forward);
#endif
    return static_cast<ActForward<T>>(&kernels::baseline::act_forward);
}

template <typename T>
kernels::ActRowBackward<T> pick_act_backward(bool from_output, bool reference) {
    using F = kernels::ActRowBackward<T>;
    if (reference) return from_output ? &kernels::act_backward_from_output_reference<T> : &kernels::act_backward_reference<T>;
#ifdef RP_HAVE_AVX2
    if (use_avx2_kernels())
        return from_output ? static_cast<F>(&kernels::avx2::act_backward_from_output) : static_cast<F>(&kernels::avx2::act_backward);
#endif
    return from_output ? static_cast<F>(&kernels::baseline::act_backward_from_output) : static_cast<F>(&kernels::baseline::act_backward);
}

template <typename T>
kernels::ExpArray<T> pick_exp_array() {
#ifdef RP_HAVE_AVX2
    if (use_avx2_kernels()) return static_cast<kernels::ExpArray<T>>(&kernels::avx2::exp_array);
#endif
    return static_cast<kernels::ExpArray<T>>(&kernels::baseline::exp_array);
}

// Calls f(begin, end) over [0, n) in contiguous chunks, one per thread when n * cost elements of
// work pay for the parallel region. Chunk bounds are multiples of 16 elements (a 64-byte line of
// float32), so threads never store into the same cache line and every chunk starts aligned as
// the array does.
template <typename F>
void for_elements(int64_t n, int64_t cost, F&& f) {
#ifdef _OPENMP
    if (n * cost >= kParallelMin && n >= 64) {
#pragma omp parallel
        {
            const int64_t nt = omp_get_num_threads(), t = omp_get_thread_num();
            const int64_t chunk = ((n + nt - 1) / nt + 15) / 16 * 16;
            const int64_t b = std::min(n, t * chunk), e = std::min(n, b + chunk);
            if (b < e) f(b, e);
        }
        return;
    }
#endif
    f(int64_t(0), n);
}

}  // namespace

template <typename T>
void act_forward(T* y, const T* x, int64_t n, kernels::Act act, T slope, bool reference) {
    const ActForward<T> k = pick_act_forward<T>(reference);
    for_elements(n, act_cost(act, false), [&](int64_t b, int64_t e) { k(y + b, x + b, e - b, act, slope); });
}

template <typename T>
void act_backward(T* dx, const T* dy, const T* saved, int64_t n, kernels::Act act, T slope, bool from_output,
                  bool reference) {
    if (from_output && !kernels::act_invertible_from_output(act, double(slope)))
        throw std::invalid_argument("act_backward: this activation's derivative cannot be computed from its output");
    const auto k = pick_act_backward<T>(from_output, reference);
    for_elements(n, act_cost(act, true), [&](int64_t b, int64_t e) { k(dx + b, dy + b, saved + b, e - b, act, slope); });
}

// Column sums: threads split the columns (each thread owns a column range and sums all rows in
// order), so no reduction across threads is needed.
template <typename T>
void bias_backward(T* db, const T* dy, int64_t M, int64_t N, bool accumulate, bool reference) {
    auto k = reference ? &kernels::bias_backward_reference<T> : &kernels::bias_backward<T>;
    const int64_t block = 64;
    for_rows((N + block - 1) / block, M * block, [&](int64_t b, int64_t e) {
        const int64_t j0 = b * block, j1 = std::min(N, e * block);
        k(db + j0, dy + j0, M, j1 - j0, N, accumulate);
    });
}

template <typename T>
void act_bias_backward(T* dz, T* db, const T* dy, const T* saved, int64_t M, int64_t N, kernels::Act act, T slope,
                       bool from_output, bool accumulate, bool reference) {
    if (from_output && !kernels::act_invertible_from_output(act, double(slope)))
        throw std::invalid_argument("act_bias_backward: this activation's derivative cannot be computed from its output");
    const auto row = pick_act_backward<T>(from_output, false);
    const int64_t block = 64;
    for_rows((N + block - 1) / block, M * block * act_cost(act, true), [&](int64_t b, int64_t e) {
        const int64_t j0 = b * block, j1 = std::min(N, e * block);
        T* dbj = db ? db + j0 : nullptr;
        if (reference)
            kernels::act_bias_backward_reference<T>(dz + j0, dbj, dy + j0, saved + j0, M, j1 - j0, N, act, slope, from_output, accumulate);
        else
            kernels::act_bias_backward<T>(dz + j0, dbj, dy + j0, saved + j0, M, j1 - j0, N, row, act, slope, accumulate);
    });
}

template <typename T>
void softmax_forward(T* y, const T* x, int64_t rows, int64_t cols, bool log, bool reference) {
    if (cols == 0) return;
    auto k = log ? (reference ? &kernels::log_softmax_forward_reference<T> : &kernels::log_softmax_forward<T>)
                 : (reference ? &kernels::softmax_forward_reference<T> : &kernels::softmax_forward<T>);
    for_rows(rows, cols, [&](int64_t b, int64_t e) { k(y + b * cols, x + b * cols, e - b, cols); });
}

template <typename T>
void softmax_backward(T* dx, const T* dy, const T* y, int64_t rows, int64_t cols, bool log, bool reference) {
    if (cols == 0) return;
    auto k = log ? (reference ? &kernels::log_softmax_backward_reference<T> : &kernels::log_softmax_backward<T>)
                 : (reference ? &kernels::softmax_backward_reference<T> : &kernels::softmax_backward<T>);
    for_rows(rows, cols, [&](int64_t b, int64_t e) { k(dx + b * cols, dy + b * cols, y + b * cols, e - b, cols); });
}

template <typename T>
void cross_entropy_forward(T* losses, T* lse, const T* logits, const int64_t* targets, const T* weight, int64_t N,
                           int64_t C, int64_t ignore_index, T label_smoothing, bool reference) {
    check_targets(targets, N, C, ignore_index, double(label_smoothing));
    if (C == 0) throw std::invalid_argument("cross_entropy: expected at least one class");
    const kernels::ExpArray<T> exp_array = pick_exp_array<T>();
    for_rows(N, C, [&](int64_t b, int64_t e) {
        if (reference)
            kernels::cross_entropy_forward_reference<T>(losses + b, lse + b, logits + b * C, targets + b, weight, e - b, C, ignore_index,
                                                        label_smoothing);
        else
            kernels::cross_entropy_forward<T>(losses + b, lse + b, logits + b * C, targets + b, weight, e - b, C, ignore_index,
                                              label_smoothing, exp_array);
    });
}

template <typename T>
void cross_entropy_backward(T* dlogits, const T* dlosses, int64_t dlosses_stride, const T* logits, const T* lse,
                            const int64_t* targets, const T* weight, int64_t N, int64_t C, int64_t ignore_index,
                            T label_smoothing, bool reference) {
    check_targets(targets, N, C, ignore_index, double(label_smoothing));
    const kernels::ExpArray<T> exp_array = pick_exp_array<T>();
    for_rows(N, C, [&](int64_t b, int64_t e) {
        if (reference)
            kernels::cross_entropy_backward_reference<T>(dlogits + b * C, dlosses + b * dlosses_stride, dlosses_stride, logits + b * C,
                                                         lse + b, targets + b, weight, e - b, C, ignore_index, label_smoothing);
        else
            kernels::cross_entropy_backward<T>(dlogits + b * C, dlosses + b * dlosses_stride, dlosses_stride, logits + b * C, lse + b,
                                               targets + b, weight, e - b, C, ignore_index, label_smoothing, exp_array);
    });
}

#define RP_INSTANTIATE(T)                                                                                              \
    template void act_forward<T>(T*, const T*, int64_t, kernels::Act, T, bool);                                         \
    template void act_backward<T>(T*, const T*, const T*, int64_t, kernels::Act, T, bool, bool);                        \
    template void bias_backward<T>(T*, const T*, int64_t, int64_t, bool, bool);                                         \
    template void act_bias_backward<T>(T*, T*, const T*, const T*, int64_t, int64_t, kernels::Act, T, bool, bool, bool); \
    template void softmax_forward<T>(T*, const T*, int64_t, int64_t, bool, bool);                                       \
    template void softmax_backward<T>(T*, const T*, const T*, int64_t, int64_t, bool, bool);                            \
    template void cross_entropy_forward<T>(T*, T*, const T*, const int64_t*, const T*, int64_t, int64_t, int64_t, T, bool); \
    template void cross_entropy_backward<T>(T*, const T*, int64_t, const T*, const T*, const int64_t*, const T*, int64_t, \
                                            int64_t, int64_t, T, bool);
RP_INSTANTIATE(float)
RP_INSTANTIATE(double)
#undef RP_INSTANTIATE

}  // namespace rp::dispatch
