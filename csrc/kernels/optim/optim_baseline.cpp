// Optimizer kernels for the portable baseline (no ISA flags: the compiler's default SIMD).
#define RP_ISA baseline
#include "kernels/optim/optim_rules.h"

namespace rp::kernels::baseline {
void sgd(const SgdCoef& c, const OptimChunk<float>& k) { sgd_sel(c, k); }
void sgd(const SgdCoef& c, const OptimChunk<double>& k) { sgd_sel(c, k); }
void adagrad(const AdagradCoef& c, const OptimChunk<float>& k) { adagrad_sel(c, k); }
void adagrad(const AdagradCoef& c, const OptimChunk<double>& k) { adagrad_sel(c, k); }
void rmsprop(const RmspropCoef& c, const OptimChunk<float>& k) { rmsprop_sel(c, k); }
void rmsprop(const RmspropCoef& c, const OptimChunk<double>& k) { rmsprop_sel(c, k); }
void adam(const AdamCoef& c, const OptimChunk<float>& k) { adam_sel(c, k); }
void adam(const AdamCoef& c, const OptimChunk<double>& k) { adam_sel(c, k); }
double norm_part(NormKind kind, const float* x, int64_t n) { return norm_lanes(kind, x, n); }
double norm_part(NormKind kind, const double* x, int64_t n) { return norm_lanes(kind, x, n); }
void scale(float* x, int64_t n, double a) { scale_impl(x, n, a); }
void scale(double* x, int64_t n, double a) { scale_impl(x, n, a); }
}  // namespace rp::kernels::baseline
