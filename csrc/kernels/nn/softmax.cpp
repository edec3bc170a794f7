// Softmax-family kernels. Fast versions: each exponential computed once (softmax scales the
// stored exponentials by one reciprocal; log-softmax and cross-entropy keep only the row's
// log-sum-exp), the remaining loops branch-free and vectorizable. References: the textbook
// formulas, one step per loop, with a temporary row where the formula names one.
#include "kernels/nn/softmax.h"

#include <algorithm>
#include <cmath>
#include <vector>

namespace rp::kernels {
namespace {

template <typename T>
T row_max(const T* __restrict x, int64_t n) {
    T m = x[0];
    for (int64_t i = 1; i < n; ++i) m = std::max(m, x[i]);
    return m;
}

// log sum_i exp(x[i]), max-subtracted.
template <typename T>
T row_logsumexp(const T* __restrict x, int64_t n) {
    const T m = row_max(x, n);
    if (std::isinf(m)) return m;  // all -inf (empty support) or a +inf entry
    T s = T(0);
    for (int64_t i = 0; i < n; ++i) s += std::exp(x[i] - m);
    return m + std::log(s);
}

template <typename T>
T weight_sum(const T* weight, int64_t C) {
    if (!weight) return T(C);
    T s = T(0);
    for (int64_t c = 0; c < C; ++c) s += weight[c];
    return s;
}

}  // namespace

// --- softmax ---------------------------------------------------------------------------------

template <typename T>
void softmax_forward(T* y, const T* x, int64_t rows, int64_t cols) {
    for (int64_t r = 0; r < rows; ++r) {
        const T* __restrict xr = x + r * cols;
        T* __restrict yr = y + r * cols;
        const T m = row_max(xr, cols);
        T s = T(0);
        for (int64_t c = 0; c < cols; ++c) {
            yr[c] = std::exp(xr[c] - m);
            s += yr[c];
        }
        const T inv = T(1) / s;
        for (int64_t c = 0; c < cols; ++c) yr[c] *= inv;
    }
}

template <typename T>
void softmax_forward_reference(T* y, const T* x, int64_t rows, int64_t cols) {
    for (int64_t r = 0; r < rows; ++r) {
        const T* xr = x + r * cols;
        T m = xr[0];
        for (int64_t c = 1; c < cols; ++c) m = std::max(m, xr[c]);
        T s = T(0);
        for (int64_t c = 0; c < cols; ++c) s += std::exp(xr[c] - m);
        for (int64_t c = 0; c < cols; ++c) y[r * cols + c] = std::exp(xr[c] - m) / s;
    }
}

template <typename T>
void softmax_backward(T* dx, const T* dy, const T* y, int64_t rows, int64_t cols) {
    for (int64_t r = 0; r < rows; ++r) {
        const T* __restrict dyr = dy + r * cols;
        const T* __restrict yr = y + r * cols;
        T dot = T(0);
        for (int64_t c = 0; c < cols; ++c) dot += dyr[c] * yr[c];
        T* dxr = dx + r * cols;
        for (int64_t c = 0; c < cols; ++c) dxr[c] = yr[c] * (dyr[c] - dot);
    }
}

template <typename T>
void softmax_backward_reference(T* dx, const T* dy, const T* y, int64_t rows, int64_t cols) {
    // dx_i = sum_j dy_j * dy_j/dx_i = sum_j dy_j * y_j * ([i == j] - y_i)
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t i = 0; i < cols; ++i) {
            T s = T(0);
            for (int64_t j = 0; j < cols; ++j) s += dy[r * cols + j] * y[r * cols + j] * (T(i == j) - y[r * cols + i]);
            dx[r * cols + i] = s;
        }
}

// --- log_softmax -----------------------------------------------------------------------------

template <typename T>
void log_softmax_forward(T* y, const T* x, int64_t rows, int64_t cols) {
    for (int64_t r = 0; r < rows; ++r) {
        const T* __restrict xr = x + r * cols;
        T* __restrict yr = y + r * cols;
        const T lse = row_logsumexp(xr, cols);
        for (int64_t c = 0; c < cols; ++c) yr[c] = xr[c] - lse;
    }
}

template <typename T>
void log_softmax_forward_reference(T* y, const T* x, int64_t rows, int64_t cols) {
    std::vector<T> p(cols);
    for (int64_t r = 0; r < rows; ++r) {
        softmax_forward_reference(p.data(), x + r * cols, 1, cols);
        for (int64_t c = 0; c < cols; ++c) y[r * cols + c] = std::log(p[c]);
    }
}

template <typename T>
void log_softmax_backward(T* dx, const T* dy, const T* y, int64_t rows, int64_t cols) {
    for (int64_t r = 0; r < rows; ++r) {
        const T* __restrict dyr = dy + r * cols;
        const T* __restrict yr = y + r * cols;
        T s = T(0);
        for (int64_t c = 0; c < cols; ++c) s += dyr[c];
        T* dxr = dx + r * cols;
        for (int64_t c = 0; c < cols; ++c) dxr[c] = dyr[c] - std::exp(yr[c]) * s;
    }
}

template <typename T>
void log_softmax_backward_reference(T* dx, const T* dy, const T* y, int64_t rows, int64_t cols) {
    // dx_i = sum_j dy_j * ([i == j] - softmax_i)
    for (int64_t r = 0; r < rows; ++r)
        for (int64_t i = 0; i < cols; ++i) {
            T s = T(0);
            for (int64_t j = 0; j < cols; ++j) s += dy[r * cols + j] * (T(i == j) - std::exp(y[r * cols + i]));
            dx[r * cols + i] = s;
        }
}

// --- cross-entropy ---------------------------------------------------------------------------

// The row's loss from its logits z, its log-sum-exp l and its target t (not ignored).
template <typename T>
T row_loss(const T* __restrict z, T l, int64_t t, const T* weight, int64_t C, T ls, T wsum) {
    const T wt = weight ? weight[t] : T(1);
    T loss = (T(1) - ls) * wt * (l - z[t]);
    if (ls != T(0)) {
        // -sum_c w[c] (z[c] - l) = l * sum_c w[c] - sum_c w[c] z[c]
        T wz = T(0);
        if (weight)
            for (int64_t c = 0; c < C; ++c) wz += weight[c] * z[c];
        else
            for (int64_t c = 0; c < C; ++c) wz += z[c];
        loss += ls / T(C) * (l * wsum - wz);
    }
    return loss;
}

// Rows go through in blocks of about kExpBlock logits: each row's shifted logits z - max are
// written to a buffer on the stack, the whole block is exponentiated by one call of the
// vectorized exp_array (a 10-class row alone would fill one vector and a fraction of another),
// then each row's sum is taken in class order. A row wider than the buffer goes on its own
// through the scalar row_logsumexp.
constexpr int64_t kExpBlock = 2048;

template <typename T>
void cross_entropy_forward(T* losses, T* lse, const T* logits, const int64_t* targets, const T* weight,
                           int64_t N, int64_t C, int64_t ignore_index, T label_smoothing, ExpArray<T> exp_array) {
    const T ls = label_smoothing, wsum = weight_sum(weight, C);
    T buf[kExpBlock];
    const int64_t rows = C <= kExpBlock ? kExpBlock / C : 1;
    for (int64_t n0 = 0; n0 < N; n0 += rows) {
        const int64_t n1 = std::min(N, n0 + rows);
        if (C <= kExpBlock) {
            for (int64_t n = n0; n < n1; ++n) {
                const T* __restrict z = logits + n * C;
                const T m = row_max(z, C);
                lse[n] = m;  // the row's maximum until the sums below
                T* __restrict e = buf + (n - n0) * C;
                for (int64_t c = 0; c < C; ++c) e[c] = z[c] - m;
            }
            exp_array(buf, buf, (n1 - n0) * C);
        }
        for (int64_t n = n0; n < n1; ++n) {
            const T* __restrict z = logits + n * C;
            T l;
            if (C > kExpBlock) {
                l = row_logsumexp(z, C);
            } else {
                const T m = lse[n];
                if (std::isinf(m)) {  // all -inf (empty support) or a +inf entry, as row_logsumexp
                    l = m;
                } else {
                    const T* __restrict e = buf + (n - n0) * C;
                    T s = T(0);
                    for (int64_t c = 0; c < C; ++c) s += e[c];
                    l = m + std::log(s);
                }
            }
            lse[n] = l;
            const int64_t t = targets[n];
            losses[n] = t == ignore_index ? T(0) : row_loss(z, l, t, weight, C, ls, wsum);
        }
    }
}

template <typename T>
void cross_entropy_forward_reference(T* losses, T* lse, const T* logits, const int64_t* targets, const T* weight,
                                     int64_t N, int64_t C, int64_t ignore_index, T label_smoothing) {
    std::vector<T> logp(C);
    for (int64_t n = 0; n < N; ++n) {
        log_softmax_forward_reference(logp.data(), logits + n * C, 1, C);
        lse[n] = logits[n * C] - logp[0];
        const int64_t t = targets[n];
        if (t == ignore_index) {
            losses[n] = T(0);
            continue;
        }
        const T nll = -(weight ? weight[t] : T(1)) * logp[t];
        T smooth = T(0);
        for (int64_t c = 0; c < C; ++c) smooth -= (weight ? weight[c] : T(1)) * logp[c];
        losses[n] = (T(1) - label_smoothing) * nll + label_smoothing / T(C) * smooth;
    }
}

// p = exp(z - lse) for every row at once, through dlogits itself (one exp_array call), then
// each row's gradient from it.
template <typename T>
void cross_entropy_backward(T* dlogits, const T* dlosses, int64_t dlosses_stride, const T* logits, const T* lse,
                            const int64_t* targets, const T* weight, int64_t N, int64_t C, int64_t ignore_index,
                            T label_smoothing, ExpArray<T> exp_array) {
    const T ls = label_smoothing, smooth = ls / T(C), wsum = weight_sum(weight, C);
    for (int64_t n = 0; n < N; ++n) {
        const T* __restrict z = logits + n * C;
        T* __restrict d = dlogits + n * C;
        const T l = lse[n];
        for (int64_t c = 0; c < C; ++c) d[c] = z[c] - l;
    }
    exp_array(dlogits, dlogits, N * C);
    for (int64_t n = 0; n < N; ++n) {
        T* __restrict d = dlogits + n * C;
        const int64_t t = targets[n];
        if (t == ignore_index) {
            for (int64_t c = 0; c < C; ++c) d[c] = T(0);
            continue;
        }
        const T g = dlosses[n * dlosses_stride];
        const T wt = weight ? weight[t] : T(1);
        const T qsum = (T(1) - ls) * wt + smooth * wsum;
        const T gq = g * qsum, gs = g * smooth;
        if (weight)
            for (int64_t c = 0; c < C; ++c) d[c] = gq * d[c] - gs * weight[c];
        else
            for (int64_t c = 0; c < C; ++c) d[c] = gq * d[c] - gs;
        d[t] -= g * (T(1) - ls) * wt;
    }
}

template <typename T>
void cross_entropy_backward_reference(T* dlogits, const T* dlosses, int64_t dlosses_stride, const T* logits,
                                      const T* lse, const int64_t* targets, const T* weight, int64_t N, int64_t C,
                                      int64_t ignore_index, T label_smoothing) {
    std::vector<T> p(C), q(C);
    for (int64_t n = 0; n < N; ++n) {
        const int64_t t = targets[n];
        softmax_forward_reference(p.data(), logits + n * C, 1, C);
        T qsum = T(0);
        for (int64_t c = 0; c < C; ++c) {
            const T w = weight ? weight[c] : T(1);
            q[c] = t == ignore_index ? T(0) : (T(1) - label_smoothing) * w * T(c == t) + label_smoothing / T(C) * w;
            qsum += q[c];
        }
        for (int64_t c = 0; c < C; ++c) dlogits[n * C + c] = dlosses[n * dlosses_stride] * (p[c] * qsum - q[c]);
    }
}

#define RP_INSTANTIATE(T)                                                                                          \
    template void softmax_forward<T>(T*, const T*, int64_t, int64_t);                                               \
    template void softmax_forward_reference<T>(T*, const T*, int64_t, int64_t);                                     \
    template void softmax_backward<T>(T*, const T*, const T*, int64_t, int64_t);                                    \
    template void softmax_backward_reference<T>(T*, const T*, const T*, int64_t, int64_t);                          \
    template void log_softmax_forward<T>(T*, const T*, int64_t, int64_t);                                           \
    template void log_softmax_forward_reference<T>(T*, const T*, int64_t, int64_t);                                 \
    template void log_softmax_backward<T>(T*, const T*, const T*, int64_t, int64_t);                                \
    template void log_softmax_backward_reference<T>(T*, const T*, const T*, int64_t, int64_t);                      \
    template void cross_entropy_forward<T>(T*, T*, const T*, const int64_t*, const T*, int64_t, int64_t, int64_t, T, \
                                           ExpArray<T>);                                                            \
    template void cross_entropy_forward_reference<T>(T*, T*, const T*, const int64_t*, const T*, int64_t, int64_t,   \
                                                     int64_t, T);                                                   \
    template void cross_entropy_backward<T>(T*, const T*, int64_t, const T*, const T*, const int64_t*, const T*,    \
                                            int64_t, int64_t, int64_t, T, ExpArray<T>);                             \
    template void cross_entropy_backward_reference<T>(T*, const T*, int64_t, const T*, const T*, const int64_t*,    \
                                                      const T*, int64_t, int64_t, int64_t, T);
RP_INSTANTIATE(float)
RP_INSTANTIATE(double)
#undef RP_INSTANTIATE

}  // namespace rp::kernels
