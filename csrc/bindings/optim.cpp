// Bindings for the fused optimizer steps and gradient-norm helpers. Each step takes Python
// lists of NumPy arrays (parameters, gradients, state buffers) and a group's scalars, checks
// them (dtype, shape, contiguity, writeability), then updates in place without the GIL.
// A group may mix float32 and float64 parameters: each dtype is one dispatch call.
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <stdexcept>
#include <string>
#include <vector>

#include "bindings/bindings.h"
#include "dispatch/optim.h"

namespace py = pybind11;

namespace rp::bindings {
namespace {

using dispatch::OptimTensor;

std::string shape_str(const py::array& x) {
    std::string s = "(";
    for (py::ssize_t i = 0; i < x.ndim(); ++i) s += (i ? ", " : "") + std::to_string(x.shape(i));
    return s + (x.ndim() == 1 ? ",)" : ")");
}

bool same_shape(const py::array& a, const py::array& b) {
    if (a.ndim() != b.ndim()) return false;
    for (py::ssize_t i = 0; i < a.ndim(); ++i)
        if (a.shape(i) != b.shape(i)) return false;
    return true;
}

bool c_contiguous(const py::array& a) { return a.flags() & py::array::c_style; }

std::vector<py::array> as_list(const char* op, const char* what, const py::object& o, size_t n) {
    if (o.is_none()) return {};
    auto v = py::cast<std::vector<py::array>>(o);
    if (v.size() != n)
        throw std::invalid_argument(std::string(op) + ": " + std::to_string(v.size()) + " " + what + " for " + std::to_string(n) + " parameters");
    return v;
}

// The group's arrays, validated and split by dtype. Non-contiguous gradients are copied to
// contiguous ones (kept alive in `keep`); parameters and state must be updatable in place.
struct Group {
    std::vector<OptimTensor<float>> f32;
    std::vector<OptimTensor<double>> f64;
    std::vector<size_t> i32, i64;  // original index of each entry
    std::vector<py::array> keep;

    Group(const char* op, const std::vector<py::array>& ps, const std::vector<py::array>& gs, const std::vector<std::vector<py::array>>& states,
          const std::vector<const char*>& names) {
        if (gs.size() != ps.size())
            throw std::invalid_argument(std::string(op) + ": " + std::to_string(gs.size()) + " gradients for " + std::to_string(ps.size()) + " parameters");
        for (size_t i = 0; i < ps.size(); ++i) {
            py::array p = ps[i];
            const bool is32 = p.dtype().equal(py::dtype::of<float>());
            if (!is32 && !p.dtype().equal(py::dtype::of<double>()))
                throw py::type_error(std::string(op) + ": parameter " + std::to_string(i) + " has dtype " + std::string(py::str(p.dtype())) + "; expected float32 or float64");
            check_updatable(op, "parameter", i, p, p);
            py::array g = gs[i];
            if (g.dtype().not_equal(p.dtype()))
                throw py::type_error(std::string(op) + ": gradient " + std::to_string(i) + " has dtype " + std::string(py::str(g.dtype())) + " but its parameter " + std::string(py::str(p.dtype())));
            if (!same_shape(g, p))
                throw std::invalid_argument(std::string(op) + ": gradient " + std::to_string(i) + " of shape " + shape_str(g) + " does not match its parameter of shape " + shape_str(p));
            if (!c_contiguous(g)) {
                g = py::array::ensure(g, py::array::c_style);
                keep.push_back(g);
            }
            void* s[3] = {nullptr, nullptr, nullptr};
            for (size_t k = 0; k < states.size(); ++k) {
                if (states[k].empty()) continue;
                py::array b = states[k][i];
                check_updatable(op, names[k], i, b, p);
                s[k] = b.mutable_data();
            }
            if (is32) {
                f32.push_back({static_cast<float*>(p.mutable_data()), static_cast<const float*>(g.data()),
                               {static_cast<float*>(s[0]), static_cast<float*>(s[1]), static_cast<float*>(s[2])}, p.size()});
                i32.push_back(i);
            } else {
                f64.push_back({static_cast<double*>(p.mutable_data()), static_cast<const double*>(g.data()),
                               {static_cast<double*>(s[0]), static_cast<double*>(s[1]), static_cast<double*>(s[2])}, p.size()});
                i64.push_back(i);
            }
        }
    }

    static void check_updatable(const char* op, const char* what, size_t i, const py::array& b, const py::array& p) {
        const std::string who = std::string(op) + ": " + what + " " + std::to_string(i);
        if (b.dtype().not_equal(p.dtype()))
            throw py::type_error(who + " has dtype " + std::string(py::str(b.dtype())) + " but its parameter " + std::string(py::str(p.dtype())));
        if (!same_shape(b, p)) throw std::invalid_argument(who + " of shape " + shape_str(b) + " does not match its parameter of shape " + shape_str(p));
        if (!c_contiguous(b)) throw std::invalid_argument(who + " of shape " + shape_str(b) + " is not C-contiguous; it must be updated in place");
        if (!b.writeable()) throw std::invalid_argument(who + " of shape " + shape_str(b) + " is read-only");
    }

    template <typename V>
    static std::vector<V> pick(const std::vector<V>& all, const std::vector<size_t>& idx) {
        std::vector<V> out;
        out.reserve(idx.size());
        for (size_t i : idx) out.push_back(all[i]);
        return out;
    }
};

// torch's `step_t += 1` for every parameter, on its 0-d step tensor (float32, or float64),
// returning the new counts. Done here rather than in Python: it is most of a small step's cost.
std::vector<double> increment_steps(const char* op, const std::vector<py::array>& steps, size_t n) {
    if (steps.size() != n) throw std::invalid_argument(std::string(op) + ": " + std::to_string(steps.size()) + " step counters for " + std::to_string(n) + " parameters");
    for (size_t i = 0; i < n; ++i) {
        const py::array& s = steps[i];
        const bool f32 = s.dtype().equal(py::dtype::of<float>()), f64 = s.dtype().equal(py::dtype::of<double>());
        if (s.size() != 1 || !(f32 || f64) || !s.writeable())
            throw std::invalid_argument(std::string(op) + ": step counter " + std::to_string(i) + " must be a writeable one-element float32 or float64 array");
    }
    std::vector<double> out(n);
    for (size_t i = 0; i < n; ++i) {
        py::array s = steps[i];
        if (s.dtype().equal(py::dtype::of<float>())) {
            float* v = static_cast<float*>(s.mutable_data());
            out[i] = *v += 1.0f;
        } else {
            double* v = static_cast<double*>(s.mutable_data());
            out[i] = *v += 1.0;
        }
    }
    return out;
}

void sgd_step(const std::vector<py::array>& ps, const std::vector<py::array>& gs, const py::object& bufs, const std::vector<bool>& fresh_in,
              double lr, double momentum, double dampening, double weight_decay, bool nesterov, bool maximize) {
    const bool mom = momentum != 0.0;
    if (mom && bufs.is_none()) throw std::invalid_argument("sgd: momentum buffers are required when momentum != 0");
    if (fresh_in.size() != ps.size()) throw std::invalid_argument("sgd: one 'fresh' flag per parameter expected");
    Group grp("sgd", ps, gs, {mom ? as_list("sgd", "momentum buffers", bufs, ps.size()) : std::vector<py::array>{}}, {"momentum_buffer"});
    const std::vector<char> fresh(fresh_in.begin(), fresh_in.end());
    const dispatch::SgdHyper h{lr, momentum, dampening, weight_decay, nesterov, maximize};
    py::gil_scoped_release release;
    dispatch::sgd_step(grp.f32, Group::pick(fresh, grp.i32), h);
    dispatch::sgd_step(grp.f64, Group::pick(fresh, grp.i64), h);
}

void adagrad_step(const std::vector<py::array>& ps, const std::vector<py::array>& gs, const py::object& sums, const std::vector<py::array>& step_arrays,
                  double lr, double lr_decay, double weight_decay, double eps, bool maximize) {
    Group grp("adagrad", ps, gs, {as_list("adagrad", "sums", sums, ps.size())}, {"sum"});
    const auto steps = increment_steps("adagrad", step_arrays, ps.size());
    const dispatch::AdagradHyper h{lr, lr_decay, weight_decay, eps, maximize};
    py::gil_scoped_release release;
    dispatch::adagrad_step(grp.f32, Group::pick(steps, grp.i32), h);
    dispatch::adagrad_step(grp.f64, Group::pick(steps, grp.i64), h);
}

void rmsprop_step(const std::vector<py::array>& ps, const std::vector<py::array>& gs, const py::object& square_avgs, const py::object& bufs,
                  const py::object& grad_avgs, const std::vector<py::array>& step_arrays, double lr, double alpha, double eps, double weight_decay, double momentum, bool centered, bool maximize) {
    if (momentum > 0.0 && bufs.is_none()) throw std::invalid_argument("rmsprop: momentum buffers are required when momentum > 0");
    if (centered && grad_avgs.is_none()) throw std::invalid_argument("rmsprop: grad_avg buffers are required when centered");
    const size_t n = ps.size();
    Group grp("rmsprop", ps, gs,
              {as_list("rmsprop", "square averages", square_avgs, n), momentum > 0.0 ? as_list("rmsprop", "momentum buffers", bufs, n) : std::vector<py::array>{},
               centered ? as_list("rmsprop", "gradient averages", grad_avgs, n) : std::vector<py::array>{}},
              {"square_avg", "momentum_buffer", "grad_avg"});
    increment_steps("rmsprop", step_arrays, n);  // counted as torch does, unused by the rule
    const dispatch::RmspropHyper h{lr, alpha, eps, weight_decay, momentum, centered, maximize};
    py::gil_scoped_release release;
    dispatch::rmsprop_step(grp.f32, h);
    dispatch::rmsprop_step(grp.f64, h);
}

void adam_step(const std::vector<py::array>& ps, const std::vector<py::array>& gs, const py::object& exp_avgs, const py::object& exp_avg_sqs,
               const py::object& max_exp_avg_sqs, const std::vector<py::array>& step_arrays, double lr, double beta1, double beta2, double eps,
               double weight_decay, bool amsgrad, bool maximize, bool decoupled) {
    if (amsgrad && max_exp_avg_sqs.is_none()) throw std::invalid_argument("adam: max_exp_avg_sq buffers are required with amsgrad");
    const size_t n = ps.size();
    Group grp("adam", ps, gs,
              {as_list("adam", "exp_avg buffers", exp_avgs, n), as_list("adam", "exp_avg_sq buffers", exp_avg_sqs, n),
               amsgrad ? as_list("adam", "max_exp_avg_sq buffers", max_exp_avg_sqs, n) : std::vector<py::array>{}},
              {"exp_avg", "exp_avg_sq", "max_exp_avg_sq"});
    const auto steps = increment_steps("adam", step_arrays, n);
    const dispatch::AdamHyper h{lr, beta1, beta2, eps, weight_decay, amsgrad, maximize, decoupled};
    py::gil_scoped_release release;
    dispatch::adam_step(grp.f32, Group::pick(steps, grp.i32), h);
    dispatch::adam_step(grp.f64, Group::pick(steps, grp.i64), h);
}

// Arrays of one float dtype for the norm/scale helpers; `writable` for scale.
template <typename T>
bool collect(const std::vector<py::array>& xs, std::vector<T*>& ptrs, std::vector<int64_t>& ns, std::vector<size_t>& idx, const char* op, bool writable) {
    for (size_t i = 0; i < xs.size(); ++i) {
        const py::array& x = xs[i];
        if (!x.dtype().equal(py::dtype::of<float>()) && !x.dtype().equal(py::dtype::of<double>()))
            throw py::type_error(std::string(op) + ": tensor " + std::to_string(i) + " has dtype " + std::string(py::str(x.dtype())) + "; expected float32 or float64");
        if (!x.dtype().equal(py::dtype::of<T>())) continue;
        if (!c_contiguous(x)) throw std::invalid_argument(std::string(op) + ": tensor " + std::to_string(i) + " of shape " + shape_str(x) + " is not C-contiguous");
        if (writable && !x.writeable()) throw std::invalid_argument(std::string(op) + ": tensor " + std::to_string(i) + " of shape " + shape_str(x) + " is read-only");
        ptrs.push_back(static_cast<T*>(const_cast<void*>(x.data())));
        ns.push_back(x.size());
        idx.push_back(i);
    }
    return !ptrs.empty();
}

template <typename T>
void norm_parts_of(const std::vector<py::array>& xs, kernels::NormKind kind, std::vector<double>& out) {
    std::vector<T*> ptrs;
    std::vector<int64_t> ns;
    std::vector<size_t> idx;
    if (!collect(xs, ptrs, ns, idx, "grad_norm", false)) return;
    const std::vector<const T*> cptrs(ptrs.begin(), ptrs.end());
    std::vector<double> parts;
    {
        py::gil_scoped_release release;
        parts = dispatch::norm_parts(cptrs, ns, kind);
    }
    for (size_t j = 0; j < idx.size(); ++j) out[idx[j]] = parts[j];
}

std::vector<double> norm_parts(const std::vector<py::array>& xs, int kind) {
    if (kind < 0 || kind > 2) throw std::invalid_argument("grad_norm: unknown norm kind " + std::to_string(kind));
    std::vector<double> out(xs.size(), 0.0);
    norm_parts_of<float>(xs, static_cast<kernels::NormKind>(kind), out);
    norm_parts_of<double>(xs, static_cast<kernels::NormKind>(kind), out);
    return out;
}

template <typename T>
void scale_of(const std::vector<py::array>& xs, double a) {
    std::vector<T*> ptrs;
    std::vector<int64_t> ns;
    std::vector<size_t> idx;
    if (!collect(xs, ptrs, ns, idx, "scale_", true)) return;
    py::gil_scoped_release release;
    dispatch::scale_all(ptrs, ns, a);
}

}  // namespace

void init_optim(py::module_& m) {
    m.def("sgd_step", &sgd_step, py::arg("params"), py::arg("grads"), py::arg("momentum_buffers"), py::arg("fresh"), py::arg("lr"),
          py::arg("momentum"), py::arg("dampening"), py::arg("weight_decay"), py::arg("nesterov"), py::arg("maximize"),
          "One SGD step over a parameter group, in place (fresh[i]: buffer i starts as the gradient).");
    m.def("adagrad_step", &adagrad_step, py::arg("params"), py::arg("grads"), py::arg("sums"), py::arg("steps"), py::arg("lr"),
          py::arg("lr_decay"), py::arg("weight_decay"), py::arg("eps"), py::arg("maximize"), "One Adagrad step over a parameter group, in place.");
    m.def("rmsprop_step", &rmsprop_step, py::arg("params"), py::arg("grads"), py::arg("square_avgs"), py::arg("momentum_buffers"),
          py::arg("grad_avgs"), py::arg("steps"), py::arg("lr"), py::arg("alpha"), py::arg("eps"), py::arg("weight_decay"), py::arg("momentum"),
          py::arg("centered"), py::arg("maximize"), "One RMSprop step over a parameter group, in place.");
    m.def("adam_step", &adam_step, py::arg("params"), py::arg("grads"), py::arg("exp_avgs"), py::arg("exp_avg_sqs"), py::arg("max_exp_avg_sqs"),
          py::arg("steps"), py::arg("lr"), py::arg("beta1"), py::arg("beta2"), py::arg("eps"), py::arg("weight_decay"), py::arg("amsgrad"),
          py::arg("maximize"), py::arg("decoupled"), "One Adam/AdamW step over a parameter group, in place (increments the 0-d step counters first).");
    m.def("grad_norm_parts", &norm_parts, py::arg("arrays"), py::arg("kind"),
          "Per array, in double: kind 0 sum of squares, 1 sum of |x|, 2 max |x| (NaN-propagating).");
    m.def("scale_", [](const std::vector<py::array>& xs, double a) { scale_of<float>(xs, a), scale_of<double>(xs, a); }, py::arg("arrays"), py::arg("a"),
          "x *= a for every array, in place.");
}

}  // namespace rp::bindings
