// Bias-gradient kernels. The fast versions walk dY row by row and add each row into db (a
// contiguous, vectorizable update), folding the activation derivative into the same pass; the
// references sum one column at a time, the textbook definition.
#include "kernels/nn/bias.h"

#include "kernels/nn/act.h"

namespace rp::kernels {

template <typename T>
void bias_backward(T* db, const T* dy, int64_t M, int64_t N, int64_t ld, bool accumulate) {
    if (!accumulate)
        for (int64_t j = 0; j < N; ++j) db[j] = T(0);
    for (int64_t i = 0; i < M; ++i) {
        const T* __restrict row = dy + i * ld;
        T* __restrict out = db;
        for (int64_t j = 0; j < N; ++j) out[j] += row[j];
    }
}

template <typename T>
void bias_backward_reference(T* db, const T* dy, int64_t M, int64_t N, int64_t ld, bool accumulate) {
    for (int64_t j = 0; j < N; ++j) {
        T s = accumulate ? db[j] : T(0);
        for (int64_t i = 0; i < M; ++i) s += dy[i * ld + j];
        db[j] = s;
    }
}

template <typename T>
void act_bias_backward(T* dz, T* db, const T* dy, const T* saved, int64_t M, int64_t N, int64_t ld, ActRowBackward<T> row_backward,
                       Act act, T slope, bool accumulate) {
    if (db && !accumulate)
        for (int64_t j = 0; j < N; ++j) db[j] = T(0);
    for (int64_t i = 0; i < M; ++i) {
        T* row = dz + i * ld;
        row_backward(row, dy + i * ld, saved + i * ld, N, act, slope);
        if (db) bias_backward(db, row, 1, N, ld, true);  // the row is still in L1
    }
}

template <typename T>
void act_bias_backward_reference(T* dz, T* db, const T* dy, const T* saved, int64_t M, int64_t N, int64_t ld, Act act,
                                 T slope, bool from_output, bool accumulate) {
    for (int64_t i = 0; i < M; ++i)
        for (int64_t j = 0; j < N; ++j) {
            const T s = saved[i * ld + j];
            dz[i * ld + j] = dy[i * ld + j] * (from_output ? act_derivative_from_output(act, s, slope) : act_derivative(act, s, slope));
        }
    if (db) bias_backward_reference(db, dz, M, N, ld, accumulate);
}

#define RP_INSTANTIATE(T)                                                                                          \
    template void bias_backward<T>(T*, const T*, int64_t, int64_t, int64_t, bool);                                  \
    template void bias_backward_reference<T>(T*, const T*, int64_t, int64_t, int64_t, bool);                        \
    template void act_bias_backward<T>(T*, T*, const T*, const T*, int64_t, int64_t, int64_t, ActRowBackward<T>, Act, T, bool); \
    template void act_bias_backward_reference<T>(T*, T*, const T*, const T*, int64_t, int64_t, int64_t, Act, T, bool, bool);
RP_INSTANTIATE(float)
RP_INSTANTIATE(double)
#undef RP_INSTANTIATE

}  // namespace rp::kernels
