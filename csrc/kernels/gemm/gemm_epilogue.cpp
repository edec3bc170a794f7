// The GEMM epilogue's transcendental activations (gelu, gelu_tanh, silu, tanh, sigmoid), applied
// to a just-stored tile while it is in L1. Compiled with default flags and not inline, so the
// per-ISA GEMM builds share this one copy (no ISA-specific inline code to merge) and match
// act_forward, the reference, exactly.
#include "kernels/gemm/gemm.h"

namespace rp::kernels {

template <typename T>
void epilogue_act_rows(Act act, T* c, int64_t ldc, int64_t rows, int64_t cols, T slope) {
    for (int64_t i = 0; i < rows; ++i)
        for (int64_t j = 0; j < cols; ++j) c[i * ldc + j] = act_forward(act, c[i * ldc + j], slope);
}

template void epilogue_act_rows<float>(Act, float*, int64_t, int64_t, int64_t, float);
template void epilogue_act_rows<double>(Act, double*, int64_t, int64_t, int64_t, double);

}  // namespace rp::kernels
