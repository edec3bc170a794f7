// Reference GEMM: readable, obviously correct, single-threaded. See gemm.h.
#include "kernels/gemm/gemm.h"

namespace rp::kernels {

template <typename T>
void gemm_reference(const GemmProblem<T>& p) {
    for (int64_t i = 0; i < p.m; ++i) {
        for (int64_t j = 0; j < p.n; ++j) {
            T acc = T(0);
            for (int64_t q = 0; q < p.k; ++q) {
                const T a = p.trans_a ? p.a[q * p.lda + i] : p.a[i * p.lda + q];
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
