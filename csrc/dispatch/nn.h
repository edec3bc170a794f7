// nn kernels' entry points: argument checks, then the kernel (or its reference), split over
// OpenMP threads by rows when the problem is large enough to pay for the threads. Every row is
// computed by one thread in a fixed order, so results do not depend on the thread count.
// Sizes are validated by the caller (bindings) against the arrays; the checks here are the
// ones that need the data (class indices). Safe to call without the GIL.
#pragma once
#include <cstdint>

#include "kernels/activation/activation.h"

namespace rp::dispatch {

template <typename T>
void act_forward(T* y, const T* x, int64_t n, kernels::Act act, T slope, bool reference);
// from_output: `saved` is the activation's output (only for activations it determines).
template <typename T>
void act_backward(T* dx, const T* dy, const T* saved, int64_t n, kernels::Act act, T slope, bool from_output,
                  bool reference);

// db (+)= column sums of dy [M, N]; with an activation, also dz = dy * act'(saved) first.
template <typename T>
void bias_backward(T* db, const T* dy, int64_t M, int64_t N, bool accumulate, bool reference);
template <typename T>
void act_bias_backward(T* dz, T* db, const T* dy, const T* saved, int64_t M, int64_t N, kernels::Act act, T slope,
                       bool from_output, bool accumulate, bool reference);

template <typename T>
void softmax_forward(T* y, const T* x, int64_t rows, int64_t cols, bool log, bool reference);
template <typename T>
void softmax_backward(T* dx, const T* dy, const T* y, int64_t rows, int64_t cols, bool log, bool reference);

// Throws std::invalid_argument naming cross_entropy when a target is neither in [0, C) nor
// ignore_index, or label_smoothing is outside [0, 1].
template <typename T>
void cross_entropy_forward(T* losses, T* lse, const T* logits, const int64_t* targets, const T* weight, int64_t N,
                           int64_t C, int64_t ignore_index, T label_smoothing, bool reference);
template <typename T>
void cross_entropy_backward(T* dlogits, const T* dlosses, int64_t dlosses_stride, const T* logits, const T* lse,
                            const int64_t* targets, const T* weight, int64_t N, int64_t C, int64_t ignore_index,
                            T label_smoothing, bool reference);

}  // namespace rp::dispatch
