// The GEMM problem description shared by every GEMM kernel:
//   C = act(alpha * op(A) * op(B) + beta * C + bias)      (row-major, op = identity or transpose)
// Kernels are pure functions on raw pointers; argument checks live in dispatch/.
#pragma once
#include <cstdint>

#include "kernels/activation/activation.h"

namespace rp::kernels {

// Applied to each finished element of C while its tile is still hot: bias (one value per
// column of C, i.e. per output feature of a Linear layer), then the activation. When `pre` is
// set, the pre-activation (after bias) is stored there too: what a backward pass of gelu, silu,
// tanh... needs, at the cost of one more store per element instead of another pass over C.
template <typename T>
struct Epilogue {
    const T* bias = nullptr;  // length n, or nullptr
    Act act = Act::none;
    T slope = T(0.01);     // leaky_relu negative slope
    T* pre = nullptr;      // m x n, row stride ldpre, or nullptr
    int64_t ldpre = 0;
};

// Applied to op(A) while it is packed, for the backward of a Linear layer followed by an
// activation: op(A) (the output gradient dY) is read as dY * act'(S), S shaped and laid out like
// op(A) (the saved activation input, or its output when from_output), and when row_sum is set,
// row_sum[i] = sum_p of that product (+= when row_sum_accumulate): the bias gradient, when op(A)
// is dZ^T in dW = dZ^T X. One pass over dY serves the GEMM, the activation and the bias.
template <typename T>
struct Prologue {
    const T* s = nullptr;  // or nullptr: no activation derivative
    int64_t lds = 0;       // S's leading dimension (S has A's storage order: trans_a)
    Act act = Act::none;
    T slope = T(0.01);
    bool from_output = true;
    T* row_sum = nullptr;  // length m, or nullptr
    bool row_sum_accumulate = false;
    bool active() const { return s != nullptr || row_sum != nullptr; }
    // S(i, q) for op(A) stored transposed (trans) or not.
    T s_at(bool trans, int64_t i, int64_t q) const { return trans ? s[q * lds + i] : s[i * lds + q]; }
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
    Prologue<T> pro{};
};

// The plain triple loop: the oracle for the fast kernels and the fallback for any shape.
// Accumulates in T, in the order p = 0..k-1, so results are reproducible.
template <typename T>
void gemm_reference(const GemmProblem<T>& p);

}  // namespace rp::kernels
