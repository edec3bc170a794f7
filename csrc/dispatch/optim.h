// Optimizer steps over a whole parameter group in one call: per-tensor coefficients (bias
// corrections in double, as torch), then one OpenMP pass over cache-sized chunks of all the
// group's tensors, so small and large tensors balance across threads. Safe without the GIL.
#pragma once
#include <cstdint>
#include <vector>

#include "kernels/optim/optim.h"

namespace rp::dispatch {

// One parameter: value, gradient, state buffers (nullptr when the rule does not use one).
template <typename T>
struct OptimTensor {
    T* p;
    const T* g;
    T* s[3];
    int64_t n;
};

struct SgdHyper {
    double lr, momentum, dampening, weight_decay;
    bool nesterov, maximize;
};
struct AdagradHyper {
    double lr, lr_decay, weight_decay, eps;
    bool maximize;
};
struct RmspropHyper {
    double lr, alpha, eps, weight_decay, momentum;
    bool centered, maximize;
};
struct AdamHyper {
    double lr, beta1, beta2, eps, weight_decay;
    bool amsgrad, maximize, decoupled;
};

// fresh[i]: tensor i has no momentum buffer yet (its buffer starts as a copy of the gradient).
template <typename T>
void sgd_step(const std::vector<OptimTensor<T>>& ts, const std::vector<char>& fresh, const SgdHyper& h);
// steps[i]: tensor i's step count after this step's increment.
template <typename T>
void adagrad_step(const std::vector<OptimTensor<T>>& ts, const std::vector<double>& steps, const AdagradHyper& h);
template <typename T>
void rmsprop_step(const std::vector<OptimTensor<T>>& ts, const RmspropHyper& h);
template <typename T>
void adam_step(const std::vector<OptimTensor<T>>& ts, const std::vector<double>& steps, const AdamHyper& h);

// Per tensor: sum of squares, sum of |x| or max |x| (NaN-propagating), in double.
template <typename T>
std::vector<double> norm_parts(const std::vector<const T*>& xs, const std::vector<int64_t>& ns, kernels::NormKind kind);
// x *= a for every tensor.
template <typename T>
void scale_all(const std::vector<T*>& xs, const std::vector<int64_t>& ns, double a);

}  // namespace rp::dispatch
