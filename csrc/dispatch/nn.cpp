// nn dispatch: checks that need the data, and the row split over OpenMP threads.
#include "dispatch/nn.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "kernels/nn/act.h"
#include "kernels/nn/bias.h"
#include "kernels/nn/softmax.h"

#ifdef _OPENMP
#include <omp.h>
#endif

namespace rp::dispatch {
namespace {

// Below this many elements a parallel region costs more than it saves (measured order of
// magnitude: a region costs a few microseconds; a core streams ~1e9 elements/s).
constexpr int64_t kParallelMin = int64_t(1) << 15;

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

}  // namespace

template <typename T>
void act_forward(T* y, const T* x, int64_t n, kernels::Act act, T slope, bool reference) {
    using Fn = void (*)(T*, const T*, int64_t, kernels::Act, T);
    const Fn k = reference ? Fn(&kernels::act_forward_reference<T>) : Fn(&kernels::act_forward<T>);
    for_rows(n, 1, [&](int64_t b, int64_t e) { k(y + b, x + b, e - b, act, slope); });
}

template <typename T>
void act_backward(T* dx, const T* dy, const T* saved, int64_t n, kernels::Act act, T slope, bool from_output,
                  bool reference) {
    if (from_output && !kernels::act_invertible_from_output(act, double(slope)))
        throw std::invalid_argument("act_backward: this activation's derivative cannot be computed from its output");
    auto k = from_output ? (reference ? &kernels::act_backward_from_output_reference<T> : &kernels::act_backward_from_output<T>)
                         : (reference ? &kernels::act_backward_reference<T> : &kernels::act_backward<T>);
    for_rows(n, 1, [&](int64_t b, int64_t e) { k(dx + b, dy + b, saved + b, e - b, act, slope); });
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
    auto k = reference ? &kernels::act_bias_backward_reference<T> : &kernels::act_bias_backward<T>;
    const int64_t block = 64;
    for_rows((N + block - 1) / block, M * block, [&](int64_t b, int64_t e) {
        const int64_t j0 = b * block, j1 = std::min(N, e * block);
        k(dz + j0, db ? db + j0 : nullptr, dy + j0, saved + j0, M, j1 - j0, N, act, slope, from_output, accumulate);
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
    auto k = reference ? &kernels::cross_entropy_forward_reference<T> : &kernels::cross_entropy_forward<T>;
    for_rows(N, C, [&](int64_t b, int64_t e) {
        k(losses + b, lse + b, logits + b * C, targets + b, weight, e - b, C, ignore_index, label_smoothing);
    });
}

template <typename T>
void cross_entropy_backward(T* dlogits, const T* dlosses, int64_t dlosses_stride, const T* logits, const T* lse,
                            const int64_t* targets, const T* weight, int64_t N, int64_t C, int64_t ignore_index,
                            T label_smoothing, bool reference) {
    check_targets(targets, N, C, ignore_index, double(label_smoothing));
    auto k = reference ? &kernels::cross_entropy_backward_reference<T> : &kernels::cross_entropy_backward<T>;
    for_rows(N, C, [&](int64_t b, int64_t e) {
        k(dlogits + b * C, dlosses + b * dlosses_stride, dlosses_stride, logits + b * C, lse + b, targets + b, weight,
          e - b, C, ignore_index, label_smoothing);
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
