// retroprop._core: the private compiled module. The public API is python/retroprop.
#include "bindings/bindings.h"

PYBIND11_MODULE(_core, m) {
    m.doc() = "retroprop's C++ core (private; use the retroprop package)";
    rp::bindings::init_config(m);
    rp::bindings::init_gemm(m);
    rp::bindings::init_nn(m);
    rp::bindings::init_optim(m);
}
