// Reference GEMM: readable, obviously correct, single-threaded. See gemm.h.
#include "kernels/gemm/gemm.h"
#include "kernels/nn/act.h"

namespace rp::kernels {

namespace {
// op(A)(i, q), after the prologue's activation derivative.
template <typename T>
T a_at(const GemmProblem<T>& p, int64_t i, int64_t q) {
    const T a = p.trans_a ? p.a[q * p.lda + i] : p.a[i * p.lda + q];
    if (!p.pro.s) return a;
    const T s = p.pro.s_at(p.trans_a, i, q);
    return a * (p.pro.from_output ? act_derivative_from_output(p.pro.act, s, p.pro.slope) : act_derivative(p.pro.act, s, p.pro.slope));
}
}  // namespace

template <typename T>
void gemm_reference(const GemmProblem<T>& p) {
    if (p.pro.row_sum) {
        for (int64_t i = 0; i < p.m; ++i) {
            T sum = T(0);
            for (int64_t q = 0; q < p.k; ++q) sum += a_at(p, i, q);
            p.pro.row_sum[i] = p.pro.row_sum_accumulate ? p.pro.row_sum[i] + sum : sum;
        }
    }
    for (int64_t i = 0; i < p.m; ++i) {
        for (int64_t j = 0; j < p.n; ++j) {
            T acc = T(0);
            for (int64_t q = 0; q < p.k; ++q) {
                const T a = a_at(p, i, q);
                const T b = p.trans_b ? p.b[j * p.ldb + q] : p.b[q * p.ldb + j];
                acc += a * b;
            }
            T& c = p.c[i * p.ldc + j];
            T v = p.alpha * acc + (p.beta == T(0) ? T(0) : p.beta * c);
            if (p.ep.bias) v += p.ep.bias[j];
            if (p.ep.pre) p.ep.pre[i * p.ep.ldpre + j] = v;
            c = act_forward(p.ep.act, v, p.ep.slope);
        }
    }
}

template void gemm_reference<float>(const GemmProblem<float>&);
template void gemm_reference<double>(const GemmProblem<double>&);

}  // namespace rp::kernels
