// Optimizer dispatch: argument checks, per-tensor coefficients, chunking, OpenMP, and the
// active instruction set's kernel. Results do not depend on the thread count (elementwise).
#include "dispatch/optim.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

#include "dispatch/isa.h"

namespace rp::dispatch {
namespace {

using kernels::OptimChunk;

// 32 KiB of each buffer per chunk: a chunk's 3-5 buffers stay within L1/L2 while it runs,
// and a 669k-element group still splits into ~80 chunks to spread across threads.
constexpr int64_t kChunkBytes = 32 * 1024;
// Below this many elements a parallel region costs more than it saves.
constexpr int64_t kParallelMin = 1 << 15;

#ifdef RP_HAVE_AVX2
#define RP_PICK(fn, Coef)                                                                             \
    template <typename T>                                                                             \
    auto pick_##fn() {                                                                                \
        using F = void (*)(const kernels::Coef&, const OptimChunk<T>&);                              \
        return use_avx2_kernels() ? static_cast<F>(&kernels::avx2::fn) : static_cast<F>(&kernels::baseline::fn); \
    }
#else
#define RP_PICK(fn, Coef)                                                \
    template <typename T>                                                \
    auto pick_##fn() {                                                   \
        using F = void (*)(const kernels::Coef&, const OptimChunk<T>&); \
        return static_cast<F>(&kernels::baseline::fn);                   \
    }
#endif
RP_PICK(sgd, SgdCoef)
RP_PICK(adagrad, AdagradCoef)
RP_PICK(rmsprop, RmspropCoef)
RP_PICK(adam, AdamCoef)
#undef RP_PICK

struct Piece {
    int64_t tensor, begin, len;
};

// Every tensor cut into chunks of at most kChunkBytes per buffer, in order.
std::vector<Piece> pieces_of(const std::vector<int64_t>& ns, int64_t chunk, int64_t& total) {
    std::vector<Piece> out;
    total = 0;
    for (size_t t = 0; t < ns.size(); ++t) {
        for (int64_t b = 0; b < ns[t]; b += chunk) out.push_back({int64_t(t), b, std::min(chunk, ns[t] - b)});
        total += ns[t];
    }
    return out;
}

// Dynamic scheduling, 4 chunks (128 KiB of each buffer) per grab: a thread that starts late
// (a busy core) finds fewer chunks left instead of holding up the step with a fixed half of the
// work, while each grab stays long enough for the hardware prefetchers.
template <typename Fn>
void parallel_pieces(const std::vector<Piece>& ps, int64_t total, Fn&& fn) {
    const int64_t np = static_cast<int64_t>(ps.size());
#pragma omp parallel for schedule(dynamic, 4) if (total >= kParallelMin)
    for (int64_t j = 0; j < np; ++j) fn(ps[j]);
}

template <typename T>
void check(const char* op, const std::vector<OptimTensor<T>>& ts, int nstate) {
    for (size_t i = 0; i < ts.size(); ++i) {
        const auto& t = ts[i];
        if (t.n < 0) throw std::invalid_argument(std::string(op) + ": tensor " + std::to_string(i) + " has negative size");
        if (t.n == 0) continue;
        if (!t.p || !t.g) throw std::invalid_argument(std::string(op) + ": tensor " + std::to_string(i) + " has no parameter or gradient data");
        for (int s = 0; s < nstate; ++s)
            if (!t.s[s]) throw std::invalid_argument(std::string(op) + ": tensor " + std::to_string(i) + " is missing state buffer " + std::to_string(s));
    }
}

template <typename T, typename Coef, typename F>
void run(const std::vector<OptimTensor<T>>& ts, const std::vector<Coef>& coefs, F kernel) {
    std::vector<int64_t> ns(ts.size());
    for (size_t t = 0; t < ts.size(); ++t) ns[t] = ts[t].n;
    int64_t total = 0;
    const auto ps = pieces_of(ns, kChunkBytes / int64_t(sizeof(T)), total);
    parallel_pieces(ps, total, [&](const Piece& pc) {
        const auto& t = ts[pc.tensor];
        auto at = [&](T* s) { return s ? s + pc.begin : nullptr; };
        const OptimChunk<T> k{t.p + pc.begin, t.g + pc.begin, at(t.s[0]), at(t.s[1]), at(t.s[2]), pc.len};
        kernel(coefs[pc.tensor], k);
    });
}

}  // namespace

template <typename T>
void sgd_step(const std::vector<OptimTensor<T>>& ts, const std::vector<char>& fresh, const SgdHyper& h) {
    if (fresh.size() != ts.size()) throw std::invalid_argument("sgd: one 'fresh' flag per tensor expected");
    const bool mom = h.momentum != 0.0;
    check("sgd", ts, mom ? 1 : 0);
    std::vector<kernels::SgdCoef> cs(ts.size());
    for (size_t i = 0; i < ts.size(); ++i)
        cs[i] = {-h.lr, h.momentum, 1.0 - h.dampening, h.weight_decay, h.maximize ? -1.0 : 1.0, mom, bool(fresh[i]), h.nesterov, h.weight_decay != 0.0};
    run(ts, cs, pick_sgd<T>());
}

template <typename T>
void adagrad_step(const std::vector<OptimTensor<T>>& ts, const std::vector<double>& steps, const AdagradHyper& h) {
    if (steps.size() != ts.size()) throw std::invalid_argument("adagrad: one step count per tensor expected");
    check("adagrad", ts, 1);
    std::vector<kernels::AdagradCoef> cs(ts.size());
    for (size_t i = 0; i < ts.size(); ++i) {
        const double clr = h.lr / (1.0 + (steps[i] - 1.0) * h.lr_decay);
        cs[i] = {-clr, h.eps, h.weight_decay, h.maximize ? -1.0 : 1.0, h.weight_decay != 0.0};
    }
    run(ts, cs, pick_adagrad<T>());
}

template <typename T>
void rmsprop_step(const std::vector<OptimTensor<T>>& ts, const RmspropHyper& h) {
    const bool mom = h.momentum > 0.0;
    check("rmsprop", ts, 1);
    for (size_t i = 0; i < ts.size(); ++i)
        if (ts[i].n && ((mom && !ts[i].s[1]) || (h.centered && !ts[i].s[2])))
            throw std::invalid_argument("rmsprop: tensor " + std::to_string(i) + " is missing its momentum_buffer or grad_avg");
    const kernels::RmspropCoef c{-h.lr, h.alpha, 1.0 - h.alpha, h.eps, h.weight_decay, h.momentum, h.maximize ? -1.0 : 1.0,
                                 kernels::make_lerp(1.0 - h.alpha), h.weight_decay != 0.0, h.centered, mom};
    run(ts, std::vector<kernels::RmspropCoef>(ts.size(), c), pick_rmsprop<T>());
}

template <typename T>
void adam_step(const std::vector<OptimTensor<T>>& ts, const std::vector<double>& steps, const AdamHyper& h) {
    if (steps.size() != ts.size()) throw std::invalid_argument("adam: one step count per tensor expected");
    check("adam", ts, h.amsgrad ? 3 : 2);
    const bool wd = h.weight_decay != 0.0;
    std::vector<kernels::AdamCoef> cs(ts.size());
    for (size_t i = 0; i < ts.size(); ++i) {
        // torch: bias_correction1 = 1 - beta1 ** step; step_size = lr / bias_correction1;
        // bias_correction2_sqrt = (1 - beta2 ** step) ** 0.5, all Python floats (double).
        const double bc1 = 1.0 - std::pow(h.beta1, steps[i]);
        const double bc2 = 1.0 - std::pow(h.beta2, steps[i]);
        cs[i] = {-(h.lr / bc1), 1.0 / std::pow(bc2, 0.5), h.eps, h.weight_decay, (wd && h.decoupled) ? 1.0 - h.lr * h.weight_decay : 1.0,
                 h.beta2, 1.0 - h.beta2, h.maximize ? -1.0 : 1.0, kernels::make_lerp(1.0 - h.beta1), wd && !h.decoupled, h.amsgrad};
    }
    run(ts, cs, pick_adam<T>());
}

template <typename T>
std::vector<double> norm_parts(const std::vector<const T*>& xs, const std::vector<int64_t>& ns, kernels::NormKind kind) {
    int64_t total = 0;
    const auto ps = pieces_of(ns, kChunkBytes / int64_t(sizeof(T)), total);
    std::vector<double> part(ps.size());
    const bool avx2 = use_avx2_kernels();
    parallel_pieces(ps, total, [&](const Piece& pc) {
        const T* x = xs[pc.tensor] + pc.begin;
        const size_t j = &pc - ps.data();
#ifdef RP_HAVE_AVX2
        if (avx2) {
            part[j] = kernels::avx2::norm_part(kind, x, pc.len);
            return;
        }
#endif
        part[j] = kernels::baseline::norm_part(kind, x, pc.len);
    });
    // Combine in a fixed order, so the result does not depend on the thread count.
    std::vector<double> out(xs.size(), 0.0);
    for (size_t j = 0; j < ps.size(); ++j) {
        double& o = out[ps[j].tensor];
        if (kind != kernels::NormKind::max_abs) o += part[j];
        else if (!(part[j] <= o) && o == o) o = part[j];  // a NaN, once in, stays
    }
    return out;
}

template <typename T>
void scale_all(const std::vector<T*>& xs, const std::vector<int64_t>& ns, double a) {
    int64_t total = 0;
    const auto ps = pieces_of(ns, kChunkBytes / int64_t(sizeof(T)), total);
    const bool avx2 = use_avx2_kernels();
    parallel_pieces(ps, total, [&](const Piece& pc) {
        T* x = xs[pc.tensor] + pc.begin;
#ifdef RP_HAVE_AVX2
        if (avx2) return kernels::avx2::scale(x, pc.len, a);
#endif
        kernels::baseline::scale(x, pc.len, a);
    });
}

#define RP_INSTANTIATE(T)                                                                                       \
    template void sgd_step<T>(const std::vector<OptimTensor<T>>&, const std::vector<char>&, const SgdHyper&);      \
    template void adagrad_step<T>(const std::vector<OptimTensor<T>>&, const std::vector<double>&, const AdagradHyper&); \
    template void rmsprop_step<T>(const std::vector<OptimTensor<T>>&, const RmspropHyper&);                        \
    template void adam_step<T>(const std::vector<OptimTensor<T>>&, const std::vector<double>&, const AdamHyper&);  \
    template std::vector<double> norm_parts<T>(const std::vector<const T*>&, const std::vector<int64_t>&, kernels::NormKind); \
    template void scale_all<T>(const std::vector<T*>&, const std::vector<int64_t>&, double);
RP_INSTANTIATE(float)
RP_INSTANTIATE(double)
#undef RP_INSTANTIATE

}  // namespace rp::dispatch
