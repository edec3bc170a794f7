// Softmax, log-softmax and the fused softmax + cross-entropy, along the last (contiguous)
// dimension of a row-major [rows, cols] array. Forward and backward side by side, each fast
// kernel beside its readable reference. Pure functions; llm.c argument order: outputs,
// gradients, inputs, sizes. All of them subtract the row maximum before exponentiating.
#pragma once
#include <cstdint>

namespace rp::kernels {

// y[r, c] = exp(x[r, c]) / sum_c' exp(x[r, c'])
template <typename T>
void softmax_forward(T* y, const T* x, int64_t rows, int64_t cols);
template <typename T>
void softmax_forward_reference(T* y, const T* x, int64_t rows, int64_t cols);
// dx = y * (dy - sum_c dy * y), y the forward's output
template <typename T>
void softmax_backward(T* dx, const T* dy, const T* y, int64_t rows, int64_t cols);
template <typename T>
void softmax_backward_reference(T* dx, const T* dy, const T* y, int64_t rows, int64_t cols);

// y[r, c] = x[r, c] - log sum_c' exp(x[r, c'])
template <typename T>
void log_softmax_forward(T* y, const T* x, int64_t rows, int64_t cols);
template <typename T>
void log_softmax_forward_reference(T* y, const T* x, int64_t rows, int64_t cols);
// dx = dy - exp(y) * sum_c dy, y the forward's output
template <typename T>
void log_softmax_backward(T* dx, const T* dy, const T* y, int64_t rows, int64_t cols);
template <typename T>
void log_softmax_backward_reference(T* dx, const T* dy, const T* y, int64_t rows, int64_t cols);

// An array exponential, y[i] = exp(x[i]) with y allowed to alias x: the active instruction set's
// vectorized one (act.h's exp_array) for the fast cross-entropy kernels below.
template <typename T>
using ExpArray = void (*)(T* y, const T* x, int64_t n);

// Cross-entropy with class indices, torch.nn.functional.cross_entropy's definition per row:
//   logp = log_softmax(logits[n]),  w = weight (all ones when null),  t = targets[n],  ls = label_smoothing
//   losses[n] = (1 - ls) * (-w[t] * logp[t]) + ls / C * (-sum_c w[c] * logp[c]),  0 when t == ignore_index
// Also writes lse[n] = log sum_c exp(logits[n, c]) for the backward.
// logits: [N, C]; targets: [N] (each in [0, C) or ignore_index; the caller checks); weight: [C] or null.
template <typename T>
void cross_entropy_forward(T* losses, T* lse, const T* logits, const int64_t* targets, const T* weight,
                           int64_t N, int64_t C, int64_t ignore_index, T label_smoothing, ExpArray<T> exp_array);
template <typename T>
void cross_entropy_forward_reference(T* losses, T* lse, const T* logits, const int64_t* targets, const T* weight,
                                     int64_t N, int64_t C, int64_t ignore_index, T label_smoothing);

// dlogits[n, c] = dlosses[n * dlosses_stride] * (p[n, c] * sum_c' q[n, c'] - q[n, c]), where
//   p = softmax(logits[n]) = exp(logits - lse),  q[n, c] = (1 - ls) * w[t] * [c == t] + ls / C * w[c];
// zero rows where t == ignore_index. dlosses_stride 0 broadcasts one upstream gradient (the
// reduced losses), 1 reads one per row (reduction 'none'). dlogits: [N, C].
template <typename T>
void cross_entropy_backward(T* dlogits, const T* dlosses, int64_t dlosses_stride, const T* logits, const T* lse,
                            const int64_t* targets, const T* weight, int64_t N, int64_t C, int64_t ignore_index,
                            T label_smoothing, ExpArray<T> exp_array);
template <typename T>
void cross_entropy_backward_reference(T* dlogits, const T* dlosses, int64_t dlosses_stride, const T* logits,
                                      const T* lse, const int64_t* targets, const T* weight, int64_t N, int64_t C,
                                      int64_t ignore_index, T label_smoothing);

}  // namespace rp::kernels
