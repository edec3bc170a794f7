// The GEMM problem description shared by every GEMM kernel:
//   C = act(alpha * op(A) * op(B) + beta * C + bias)      (row-major, op = identity or transpose)
// Kernels are pure functions on raw pointers; argument checks live in dispatch/.
#pragma once
#include <cstdint>

#include "kernels/activation/activation.h"

namespace rp::kernels {

// Applied to each finished element of C while its tile is still hot: bias (one value per
// column of C, i.e. per output feature of a Linear layer), then the activation.
template <typename T>
struct Epilogue {
    const T* bias = nullptr;  // length n, or nullptr
    Act act = Act::none;
    T slope = T(0.01);  // leaky_relu negative slope
};

// Row-major operands. op(A) is m x k, op(B) is k x n, C is m x n.
// trans_a: A is stored k x m (element (i, p) at a[p * lda + i]); otherwise m x k (a[i * lda + p]).
// trans_b: B is stored n x k (element (p, j) at b[j * ldb + p]); otherwise k x n (b[p * ldb + j]).
// When beta == 0, C is not read (it may hold garbage, NaN included), as in BLAS.
template <typename T>
struct GemmProblem {
    bool trans_a = false, trans_b = false;
    int64_t m = 0, n = 0, k = 0;
    T alpha = T(1);
    const T* a = nullptr;
    int64_t lda = 0;
    const T* b = nullptr;
    int64_t ldb = 0;
    T beta = T(0);
    T* c = nullptr;
    int64_t ldc = 0;
    Epilogue<T> ep{};
};

// The plain triple loop: the oracle for the fast kernels and the fallback for any shape.
// Accumulates in T, in the order p = 0..k-1, so results are reproducible.
template <typename T>
void gemm_reference(const GemmProblem<T>& p);

// act_forward on each element of a rows x cols block of C (row stride ldc): the epilogue of the
// fast kernels for the activations they do not apply in registers. Defined once, default flags.
template <typename T>
void epilogue_act_rows(Act act, T* c, int64_t ldc, int64_t rows, int64_t cols, T slope);

}  // namespace rp::kernels
