// One init function per area; module.cpp calls them all.
#pragma once
#include <pybind11/pybind11.h>

namespace rp::bindings {
void init_config(pybind11::module_& m);
void init_gemm(pybind11::module_& m);
void init_nn(pybind11::module_& m);
void init_optim(pybind11::module_& m);
}  // namespace rp::bindings
