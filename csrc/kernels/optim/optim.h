// Fused optimizer updates and gradient norms: the per-chunk kernels each instruction set
// provides. dispatch/optim.* splits a parameter group into chunks and calls these in parallel.
//
// A chunk is a contiguous range of one parameter: its value p, gradient g and up to three
// state buffers s0..s2 (which ones is per optimizer, see each Coef). Coefficients are in
// double (torch computes its Python-side scalars in double) and are cast to the element type
// inside the kernel, as torch's CPU kernels cast a double Scalar to float for float tensors.
#pragma once
#include <cstdint>

namespace rp::kernels {

template <typename T>
struct OptimChunk {
    T* p;
    const T* g;
    T* s0;
    T* s1;
    T* s2;
    int64_t n;
};

// lerp(a, b, w) as torch computes it: a + w (b - a) when |w| < 0.5, else b - (1 - w)(b - a),
// i.e. base + k (b - a) with (base, k) = (a, w) or (b, w - 1).
struct Lerp {
    double k;
    bool from_end;
};
inline Lerp make_lerp(double w) { return (w < 0.5 && w > -0.5) ? Lerp{w, false} : Lerp{w - 1.0, true}; }

// g' = sign g (+ wd p); buf = g' on the first step, else momentum buf + (1 - dampening) g';
// g' = nesterov ? g' + momentum buf : buf; p += -lr g'.   s0 = momentum buffer.
struct SgdCoef {
    double neg_lr, momentum, damp1, wd, sign;
    bool use_momentum, fresh, nesterov, l2;
};

// g' = sign g (+ wd p); sum += g' g'; p += -clr g' / (sqrt(sum) + eps).   s0 = sum.
struct AdagradCoef {
    double neg_clr, eps, wd, sign;
    bool l2;
};

// g' = sign g (+ wd p); sq = alpha sq + (1 - alpha) g' g'; centered: ga = lerp(ga, g', 1 - alpha),
// avg = sqrt(sq - ga ga) + eps, else sqrt(sq) + eps; momentum: buf = momentum buf + g'/avg,
// p += -lr buf; else p += -lr g'/avg.   s0 = square_avg, s1 = momentum_buffer, s2 = grad_avg.
struct RmspropCoef {
    double neg_lr, alpha, one_minus_alpha, eps, wd, momentum, sign;
    Lerp lerp;
    bool l2, centered, use_momentum;
};

// g' = sign g (+ wd p if L2); p *= decay (decoupled: 1 - lr wd); m = lerp(m, g', 1 - beta1);
// v = beta2 v + (1 - beta2) g' g'; amsgrad: vmax = max(vmax, v), v' = vmax;
// p += -step_size m / (sqrt(v') / bc2_sqrt + eps).   s0 = exp_avg, s1 = exp_avg_sq, s2 = max.
struct AdamCoef {
    double neg_step_size, inv_bc2_sqrt, eps, wd, decay, beta2, one_minus_beta2, sign;
    Lerp lerp;
    bool l2, amsgrad;
};

// The gradient norms clip_grad_norm_ needs, accumulated in double.
enum class NormKind : int { sum_sq = 0, sum_abs = 1, max_abs = 2 };

#define RP_DECLARE_OPTIM(isa)                                          \
    namespace isa {                                                    \
    void sgd(const SgdCoef& c, const OptimChunk<float>& k);            \
    void sgd(const SgdCoef& c, const OptimChunk<double>& k);           \
    void adagrad(const AdagradCoef& c, const OptimChunk<float>& k);    \
    void adagrad(const AdagradCoef& c, const OptimChunk<double>& k);   \
    void rmsprop(const RmspropCoef& c, const OptimChunk<float>& k);    \
    void rmsprop(const RmspropCoef& c, const OptimChunk<double>& k);   \
    void adam(const AdamCoef& c, const OptimChunk<float>& k);          \
    void adam(const AdamCoef& c, const OptimChunk<double>& k);         \
    double norm_part(NormKind kind, const float* x, int64_t n);        \
    double norm_part(NormKind kind, const double* x, int64_t n);       \
    void scale(float* x, int64_t n, double a);                         \
    void scale(double* x, int64_t n, double a);                        \
    }
RP_DECLARE_OPTIM(baseline)
RP_DECLARE_OPTIM(avx2)
#undef RP_DECLARE_OPTIM

}  // namespace rp::kernels
