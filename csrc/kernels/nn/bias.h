// The Linear layer's backward helpers around the GEMMs: the bias gradient (column sums of dY)
// and, for a Linear followed by an activation, dZ = dY * act' folded in the same pass.
// Pure functions; llm.c argument order: outputs, gradients, inputs, sizes.
#pragma once
#include <cstdint>

#include "kernels/activation/activation.h"

namespace rp::kernels {

// db[n] (+)= sum_m dy[m, n]      dy: [M, N] with row stride ld; db: [N].
// Overwrites db unless accumulate. Rows are summed in order m = 0..M-1 (reproducible).
template <typename T>
void bias_backward(T* db, const T* dy, int64_t M, int64_t N, int64_t ld, bool accumulate);
template <typename T>
void bias_backward_reference(T* db, const T* dy, int64_t M, int64_t N, int64_t ld, bool accumulate);

// dz[M, N] = dy[M, N] * act'(saved[M, N]) and, when db is not null, db[N] (+)= column sums of dz.
// saved is the activation's output when from_output (relu, leaky_relu with slope >= 0, tanh,
// sigmoid), else its input. All three matrices have row stride ld; dz may alias dy.
// The fast version takes the row kernel (an instruction set's act_backward or
// act_backward_from_output, chosen by the caller) and applies it to one row at a time.
template <typename T>
using ActRowBackward = void (*)(T* dx, const T* dy, const T* saved, int64_t n, Act act, T slope);
template <typename T>
void act_bias_backward(T* dz, T* db, const T* dy, const T* saved, int64_t M, int64_t N, int64_t ld, ActRowBackward<T> row,
                       Act act, T slope, bool accumulate);
template <typename T>
void act_bias_backward_reference(T* dz, T* db, const T* dy, const T* saved, int64_t M, int64_t N, int64_t ld, Act act,
                                 T slope, bool from_output, bool accumulate);

}  // namespace rp::kernels
