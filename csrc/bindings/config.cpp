// Bindings for build/runtime configuration: instruction set, threads, compiler.
#include <pybind11/stl.h>

#include "bindings/bindings.h"
#include "dispatch/isa.h"
#include "dispatch/threads.h"

namespace py = pybind11;

namespace rp::bindings {

void init_config(py::module_& m) {
    using namespace rp::dispatch;
    m.def("set_num_threads", &set_num_threads, py::arg("n"));
    m.def("get_num_threads", &get_num_threads);
    m.def("isa", [] { return std::string(isa_name(active_isa())); }, "The instruction set in use.");
    m.def("isa_warning", [] { return isa_warning(); });
    m.def("set_isa", [](const std::string& name) {
        for (Isa isa : {Isa::baseline, Isa::avx2, Isa::avx512})
            if (name == isa_name(isa)) return set_active_isa(isa);
        throw std::invalid_argument("set_isa: unknown instruction set '" + name + "'");
    });
    m.def("build_info", [] {
        py::dict d;
        py::list compiled, supported;
        for (Isa isa : {Isa::baseline, Isa::avx2, Isa::avx512}) {
            if (isa_compiled(isa)) compiled.append(isa_name(isa));
            if (isa_supported(isa)) supported.append(isa_name(isa));
        }
        d["isa"] = isa_name(active_isa());
        d["isa_best"] = isa_name(best_isa());
        d["isa_compiled"] = compiled;
        d["isa_supported"] = supported;
        d["openmp"] = have_openmp();
#ifdef _OPENMP
        d["openmp_version"] = _OPENMP;
#endif
#if defined(__clang__)
        d["compiler"] = std::string("clang ") + __clang_version__;
#elif defined(__GNUC__)
        d["compiler"] = std::string("gcc ") + __VERSION__;
#elif defined(_MSC_VER)
        d["compiler"] = "msvc " + std::to_string(_MSC_VER);
#endif
        return d;
    });
}

}  // namespace rp::bindings
