// Optimizer kernels for AVX2+FMA (flags set per file in CMakeLists.txt): the shared rules on
// 256-bit registers, plus hand-written norm reductions (double accumulators, 4 in flight).
#define RP_ISA avx2
#include "kernels/optim/optim_rules.h"

namespace rp::kernels::avx2 {
namespace {

// Sum of squares or of absolute values of 4 doubles per register, 4 registers in flight.
struct SumAcc {
    __m256d a[4] = {_mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd(), _mm256_setzero_pd()};
    bool sq;
    void add(int j, __m256d x) {
        const __m256d absmask = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffffLL));
        a[j] = sq ? _mm256_fmadd_pd(x, x, a[j]) : _mm256_add_pd(a[j], _mm256_and_pd(x, absmask));
    }
    double total() const {
        const __m256d s = _mm256_add_pd(_mm256_add_pd(a[0], a[1]), _mm256_add_pd(a[2], a[3]));
        alignas(32) double t[4];
        _mm256_store_pd(t, s);
        return (t[0] + t[1]) + (t[2] + t[3]);
    }
};

double sum_part(bool sq, const float* x, int64_t n, int64_t& done) {
    SumAcc acc;
    acc.sq = sq;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16) {
        const __m256 u = _mm256_loadu_ps(x + i), w = _mm256_loadu_ps(x + i + 8);
        acc.add(0, _mm256_cvtps_pd(_mm256_castps256_ps128(u)));
        acc.add(1, _mm256_cvtps_pd(_mm256_extractf128_ps(u, 1)));
        acc.add(2, _mm256_cvtps_pd(_mm256_castps256_ps128(w)));
        acc.add(3, _mm256_cvtps_pd(_mm256_extractf128_ps(w, 1)));
    }
    done = i;
    return acc.total();
}

double sum_part(bool sq, const double* x, int64_t n, int64_t& done) {
    SumAcc acc;
    acc.sq = sq;
    int64_t i = 0;
    for (; i + 16 <= n; i += 16)
        for (int j = 0; j < 4; ++j) acc.add(j, _mm256_loadu_pd(x + i + 4 * j));
    done = i;
    return acc.total();
}

template <typename T>
double norm_part_impl(NormKind kind, const T* x, int64_t n) {
    // max_abs is rare (norm_type=inf) and cheap next to memory traffic: the lane loop serves.
    if (kind == NormKind::max_abs) return norm_lanes(kind, x, n);
    int64_t done = 0;
    const double body = sum_part(kind == NormKind::sum_sq, x, n, done);
    return body + norm_lanes(kind, x + done, n - done);
}

}  // namespace

void sgd(const SgdCoef& c, const OptimChunk<float>& k) { sgd_sel(c, k); }
void sgd(const SgdCoef& c, const OptimChunk<double>& k) { sgd_sel(c, k); }
void adagrad(const AdagradCoef& c, const OptimChunk<float>& k) { adagrad_sel(c, k); }
void adagrad(const AdagradCoef& c, const OptimChunk<double>& k) { adagrad_sel(c, k); }
void rmsprop(const RmspropCoef& c, const OptimChunk<float>& k) { rmsprop_sel(c, k); }
void rmsprop(const RmspropCoef& c, const OptimChunk<double>& k) { rmsprop_sel(c, k); }
void adam(const AdamCoef& c, const OptimChunk<float>& k) { adam_sel(c, k); }
void adam(const AdamCoef& c, const OptimChunk<double>& k) { adam_sel(c, k); }
double norm_part(NormKind kind, const float* x, int64_t n) { return norm_part_impl(kind, x, n); }
double norm_part(NormKind kind, const double* x, int64_t n) { return norm_part_impl(kind, x, n); }
void scale(float* x, int64_t n, double a) { scale_impl(x, n, a); }
void scale(double* x, int64_t n, double a) { scale_impl(x, n, a); }
}  // namespace rp::kernels::avx2
