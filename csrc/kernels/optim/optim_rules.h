// The optimizer update rules, written once over the operations of optim_vec.h and compiled
// once per instruction set: each kernels/optim/optim_<isa>.cpp defines RP_ISA and includes
// this file with its own flags. One pass per chunk: every buffer is loaded once and stored
// once, nothing is allocated. The readable reference is python/retroprop/optim/_reference.py;
// the operation order follows torch.optim's single-tensor implementations.
#ifndef RP_ISA
#error "define RP_ISA (the instruction-set namespace) before including optim_rules.h"
#endif
#include <cstdint>
#ifdef __AVX2__
#include <immintrin.h>
#endif

#include "kernels/optim/optim.h"

namespace rp::kernels::RP_ISA {

#include "kernels/optim/optim_vec.h"

// g' = sign g, then + wd p (L2 weight decay folded into the gradient, torch's order).
template <typename X, bool L2>
inline typename X::V grad_in(typename X::V g, typename X::V p, double sign, double wd) {
    g = g * X::set1(sign);
    if constexpr (L2) g = fmadd(X::set1(wd), p, g);
    return g;
}

// torch's lerp(a, b, w) with (k, from_end) from make_lerp.
template <typename X>
inline typename X::V lerp(typename X::V a, typename X::V b, const Lerp& l) {
    return fmadd(X::set1(l.k), b - a, vselect(l.from_end, b, a));
}

// The rules take their coefficients by value: through a reference GCC cannot hoist them out of
// the loop (a float store might alias the struct) and re-converts and re-broadcasts each one per
// iteration, which made Adam at 669k parameters compute-bound (0.30 vs 0.22 ms).
template <typename T, bool MOM, bool FRESH, bool NEST, bool L2>
void sgd_impl(const SgdCoef c, const OptimChunk<T>& k) {
    T* __restrict p = k.p;
    const T* __restrict g = k.g;
    T* __restrict buf = k.s0;
    sweep<T>(k.n, [&](auto x, int64_t i) {
        using X = decltype(x);
        auto pv = X::load(p + i);
        auto d = grad_in<X, L2>(X::load(g + i), pv, c.sign, c.wd);
        if constexpr (MOM) {
            auto b = FRESH ? d : fmadd(X::set1(c.damp1), d, X::load(buf + i) * X::set1(c.momentum));
            X::store(buf + i, b);
            d = NEST ? fmadd(X::set1(c.momentum), b, d) : b;
        }
        X::store(p + i, fmadd(X::set1(c.neg_lr), d, pv));
    });
}

template <typename T, bool L2>
void adagrad_impl(const AdagradCoef c, const OptimChunk<T>& k) {
    T* __restrict p = k.p;
    const T* __restrict g = k.g;
    T* __restrict sum = k.s0;
    sweep<T>(k.n, [&](auto x, int64_t i) {
        using X = decltype(x);
        auto pv = X::load(p + i);
        auto d = grad_in<X, L2>(X::load(g + i), pv, c.sign, c.wd);
        auto s = fmadd(d, d, X::load(sum + i));
        X::store(sum + i, s);
        auto std_ = vsqrt(s) + X::set1(c.eps);
        X::store(p + i, fmadd(X::set1(c.neg_clr), d / std_, pv));
    });
}

template <typename T, bool L2, bool CENTERED, bool MOM>
void rmsprop_impl(const RmspropCoef c, const OptimChunk<T>& k) {
    T* __restrict p = k.p;
    const T* __restrict g = k.g;
    T* __restrict sq = k.s0;
    T* __restrict buf = k.s1;
    T* __restrict gavg = k.s2;
    sweep<T>(k.n, [&](auto x, int64_t i) {
        using X = decltype(x);
        auto pv = X::load(p + i);
        auto d = grad_in<X, L2>(X::load(g + i), pv, c.sign, c.wd);
        auto s = fmadd(X::set1(c.one_minus_alpha) * d, d, X::load(sq + i) * X::set1(c.alpha));
        X::store(sq + i, s);
        auto var = s;
        if constexpr (CENTERED) {
            auto ga = lerp<X>(X::load(gavg + i), d, c.lerp);
            X::store(gavg + i, ga);
            var = s - ga * ga;
        }
        auto avg = vsqrt(var) + X::set1(c.eps);
        if constexpr (MOM) {
            auto b = X::load(buf + i) * X::set1(c.momentum) + d / avg;
            X::store(buf + i, b);
            X::store(p + i, fmadd(X::set1(c.neg_lr), b, pv));
        } else {
            X::store(p + i, fmadd(X::set1(c.neg_lr), d / avg, pv));
        }
    });
}

template <typename T, bool L2, bool AMS>
void adam_impl(const AdamCoef c, const OptimChunk<T>& k) {
    T* __restrict p = k.p;
    const T* __restrict g = k.g;
    T* __restrict m = k.s0;
    T* __restrict v = k.s1;
    T* __restrict vmax_ = k.s2;
    sweep<T>(k.n, [&](auto x, int64_t i) {
        using X = decltype(x);
        auto pv = X::load(p + i);
        auto d = grad_in<X, L2>(X::load(g + i), pv, c.sign, c.wd);
        pv = pv * X::set1(c.decay);
        auto mv = lerp<X>(X::load(m + i), d, c.lerp);
        X::store(m + i, mv);
        auto vv = fmadd(X::set1(c.one_minus_beta2) * d, d, X::load(v + i) * X::set1(c.beta2));
        X::store(v + i, vv);
        if constexpr (AMS) {
            vv = vmax(X::load(vmax_ + i), vv);
            X::store(vmax_ + i, vv);
        }
        // torch divides by bc2_sqrt; multiplying by its reciprocal (one rounding apart, <= 1 ulp
        // in denom) frees the divider, which sqrt and the final quotient already keep busy.
        auto denom = fmadd(vsqrt(vv), X::set1(c.inv_bc2_sqrt), X::set1(c.eps));
        X::store(p + i, fmadd(X::set1(c.neg_step_size), mv / denom, pv));
    });
}

// Runtime flags -> template instantiation (one branch per chunk, none per element).
template <typename T>
void sgd_sel(const SgdCoef& c, const OptimChunk<T>& k) {
    if (!c.use_momentum) return c.l2 ? sgd_impl<T, false, false, false, true>(c, k) : sgd_impl<T, false, false, false, false>(c, k);
    const int key = (c.fresh ? 4 : 0) | (c.nesterov ? 2 : 0) | (c.l2 ? 1 : 0);
    switch (key) {
        case 0: return sgd_impl<T, true, false, false, false>(c, k);
        case 1: return sgd_impl<T, true, false, false, true>(c, k);
        case 2: return sgd_impl<T, true, false, true, false>(c, k);
        case 3: return sgd_impl<T, true, false, true, true>(c, k);
        case 4: return sgd_impl<T, true, true, false, false>(c, k);
        case 5: return sgd_impl<T, true, true, false, true>(c, k);
        case 6: return sgd_impl<T, true, true, true, false>(c, k);
        default: return sgd_impl<T, true, true, true, true>(c, k);
    }
}

template <typename T>
void rmsprop_sel(const RmspropCoef& c, const OptimChunk<T>& k) {
    const int key = (c.l2 ? 4 : 0) | (c.centered ? 2 : 0) | (c.use_momentum ? 1 : 0);
    switch (key) {
        case 0: return rmsprop_impl<T, false, false, false>(c, k);
        case 1: return rmsprop_impl<T, false, false, true>(c, k);
        case 2: return rmsprop_impl<T, false, true, false>(c, k);
        case 3: return rmsprop_impl<T, false, true, true>(c, k);
        case 4: return rmsprop_impl<T, true, false, false>(c, k);
        case 5: return rmsprop_impl<T, true, false, true>(c, k);
        case 6: return rmsprop_impl<T, true, true, false>(c, k);
        default: return rmsprop_impl<T, true, true, true>(c, k);
    }
}

template <typename T>
void adam_sel(const AdamCoef& c, const OptimChunk<T>& k) {
    if (c.amsgrad) return c.l2 ? adam_impl<T, true, true>(c, k) : adam_impl<T, false, true>(c, k);
    return c.l2 ? adam_impl<T, true, false>(c, k) : adam_impl<T, false, false>(c, k);
}

template <typename T>
void adagrad_sel(const AdagradCoef& c, const OptimChunk<T>& k) {
    return c.l2 ? adagrad_impl<T, true>(c, k) : adagrad_impl<T, false>(c, k);
}

// x *= a (clip_grad_norm_'s and clip_grad_value_'s second half).
template <typename T>
void scale_impl(T* __restrict x, int64_t n, double a) {
    sweep<T>(n, [&](auto o, int64_t i) {
        using X = decltype(o);
        X::store(x + i, X::load(x + i) * X::set1(a));
    });
}

// One chunk's share of a norm, in double, one element at a time (baseline, and the AVX2 tails).
// max_abs propagates NaN, as torch's inf-norm does.
template <typename T>
double norm_lanes(NormKind kind, const T* x, int64_t n) {
    double acc[4] = {0.0, 0.0, 0.0, 0.0};
    if (kind == NormKind::max_abs) {
        for (int64_t i = 0; i < n; ++i) {
            const double a = __builtin_fabs(static_cast<double>(x[i]));
            if (!(a <= acc[0])) acc[0] = a;  // also takes a NaN, which then sticks
            if (acc[0] != acc[0]) return acc[0];
        }
        return acc[0];
    }
    const bool sq = kind == NormKind::sum_sq;
    for (int64_t i = 0; i < n; ++i) {
        const double a = static_cast<double>(x[i]);
        acc[i & 3] += sq ? a * a : __builtin_fabs(a);
    }
    return (acc[0] + acc[1]) + (acc[2] + acc[3]);
}

}  // namespace rp::kernels::RP_ISA
