// Bindings for the nn kernels on NumPy arrays (retroprop.nn.functional and ops.activation call
// them). Arrays must be C-contiguous and share one float dtype (class indices: int64); outputs
// are passed in, so Python decides what to allocate and what to reuse. The GIL is released
// around every kernel.
#include <pybind11/numpy.h>

#include <stdexcept>
#include <string>
#include <tuple>

#include "bindings/bindings.h"
#include "dispatch/nn.h"

namespace py = pybind11;

namespace rp::bindings {
namespace {

using kernels::Act;

std::string shape_str(const py::array& x) {
    std::string s = "(";
    for (py::ssize_t i = 0; i < x.ndim(); ++i) s += (i ? ", " : "") + std::to_string(x.shape(i));
    return s + (x.ndim() == 1 ? ",)" : ")");
}

bool is_float(const py::array& x) { return x.dtype().equal(py::dtype::of<float>()); }

// Checks x is C-contiguous, of x_ref's dtype and of `size` elements (or `rows` x `cols` when
// cols >= 0); returns its data.
template <typename T>
T* data(const py::array& x, const char* op, const char* name, int64_t size, bool writable = false) {
    if (!x.dtype().equal(py::dtype::of<T>()))
        throw py::type_error(std::string(op) + ": " + name + " has dtype " + std::string(py::str(x.dtype())) + ", expected " +
                             std::string(py::str(py::dtype::of<T>())));
    if (!(x.flags() & py::array::c_style)) throw std::invalid_argument(std::string(op) + ": " + name + " must be C-contiguous");
    if (x.size() != size)
        throw std::invalid_argument(std::string(op) + ": " + name + " of shape " + shape_str(x) + " has " + std::to_string(x.size()) +
                                    " elements, expected " + std::to_string(size));
    if (writable && !x.writeable()) throw std::invalid_argument(std::string(op) + ": output " + name + " is read-only");
    return static_cast<T*>(const_cast<void*>(x.data()));
}

Act to_act(int act, const char* op) {
    if (act < 0 || act > 7) throw std::invalid_argument(std::string(op) + ": unknown activation code " + std::to_string(act));
    return static_cast<Act>(act);
}

// Rows x cols of an array seen as [rows, last dim] (a 0-d or 1-d array is one row).
std::pair<int64_t, int64_t> rows_cols(const py::array& x) {
    const int64_t cols = x.ndim() ? x.shape(x.ndim() - 1) : 1;
    return {cols ? x.size() / cols : 0, cols};
}

// --- activations -----------------------------------------------------------------------------

template <typename T>
void act_forward_t(const py::array& x, py::array& out, Act act, double slope, bool reference) {
    const int64_t n = x.size();
    const T* xp = data<T>(x, "act_forward", "x", n);
    T* yp = data<T>(out, "act_forward", "out", n, true);
    py::gil_scoped_release release;
    dispatch::act_forward<T>(yp, xp, n, act, T(slope), reference);
}

void act_forward(const py::array& x, py::array& out, int act, double slope, bool reference) {
    const Act a = to_act(act, "act_forward");
    if (is_float(x)) return act_forward_t<float>(x, out, a, slope, reference);
    return act_forward_t<double>(x, out, a, slope, reference);
}

template <typename T>
void act_backward_t(const py::array& dy, const py::array& saved, py::array& out, Act act, double slope, bool from_output, bool reference) {
    const int64_t n = dy.size();
    const T* g = data<T>(dy, "act_backward", "grad", n);
    const T* s = data<T>(saved, "act_backward", "saved", n);
    T* dx = data<T>(out, "act_backward", "out", n, true);
    py::gil_scoped_release release;
    dispatch::act_backward<T>(dx, g, s, n, act, T(slope), from_output, reference);
}

void act_backward(const py::array& dy, const py::array& saved, py::array& out, int act, double slope, bool from_output, bool reference) {
    const Act a = to_act(act, "act_backward");
    if (is_float(dy)) return act_backward_t<float>(dy, saved, out, a, slope, from_output, reference);
    return act_backward_t<double>(dy, saved, out, a, slope, from_output, reference);
}

// --- bias gradient and the folded activation derivative --------------------------------------

template <typename T>
void act_bias_backward_t(const py::array& dy, const py::object& saved, const py::object& dz, const py::object& db, Act act,
                         double slope, bool from_output, bool accumulate, bool reference) {
    const char* op = "act_bias_backward";
    const auto [M, N] = rows_cols(dy);
    const T* g = data<T>(dy, op, "grad", M * N);
    T* dbp = db.is_none() ? nullptr : data<T>(py::cast<py::array>(db), op, "db", N, true);
    if (act == Act::none) {
        if (!dbp) return;
        py::gil_scoped_release release;
        return dispatch::bias_backward<T>(dbp, g, M, N, accumulate, reference);
    }
    const T* s = data<T>(py::cast<py::array>(saved), op, "saved", M * N);
    T* dzp = data<T>(py::cast<py::array>(dz), op, "dz", M * N, true);
    py::gil_scoped_release release;
    dispatch::act_bias_backward<T>(dzp, dbp, g, s, M, N, act, T(slope), from_output, accumulate, reference);
}

void act_bias_backward(const py::array& dy, const py::object& saved, const py::object& dz, const py::object& db, int act,
                       double slope, bool from_output, bool accumulate, bool reference) {
    const Act a = to_act(act, "act_bias_backward");
    if (is_float(dy)) return act_bias_backward_t<float>(dy, saved, dz, db, a, slope, from_output, accumulate, reference);
    return act_bias_backward_t<double>(dy, saved, dz, db, a, slope, from_output, accumulate, reference);
}

// --- softmax / log_softmax over the last dimension -------------------------------------------

template <typename T>
void softmax_forward_t(const py::array& x, py::array& out, bool log, bool reference) {
    const auto [rows, cols] = rows_cols(x);
    const T* xp = data<T>(x, "softmax", "x", rows * cols);
    T* yp = data<T>(out, "softmax", "out", rows * cols, true);
    py::gil_scoped_release release;
    dispatch::softmax_forward<T>(yp, xp, rows, cols, log, reference);
}

void softmax_forward(const py::array& x, py::array& out, bool log, bool reference) {
    if (is_float(x)) return softmax_forward_t<float>(x, out, log, reference);
    return softmax_forward_t<double>(x, out, log, reference);
}

template <typename T>
void softmax_backward_t(const py::array& dy, const py::array& y, py::array& out, bool log, bool reference) {
    const auto [rows, cols] = rows_cols(y);
    const T* g = data<T>(dy, "softmax_backward", "grad", rows * cols);
    const T* yp = data<T>(y, "softmax_backward", "output", rows * cols);
    T* dx = data<T>(out, "softmax_backward", "out", rows * cols, true);
    py::gil_scoped_release release;
    dispatch::softmax_backward<T>(dx, g, yp, rows, cols, log, reference);
}

void softmax_backward(const py::array& dy, const py::array& y, py::array& out, bool log, bool reference) {
    if (is_float(y)) return softmax_backward_t<float>(dy, y, out, log, reference);
    return softmax_backward_t<double>(dy, y, out, log, reference);
}

// --- cross-entropy ---------------------------------------------------------------------------

struct CeArgs {
    int64_t N, C;
    const int64_t* targets;
};

CeArgs ce_args(const py::array& logits, const py::array& targets, const char* op) {
    if (logits.ndim() != 2) throw std::invalid_argument(std::string(op) + ": expected logits of shape (N, C), got " + shape_str(logits));
    const int64_t N = logits.shape(0), C = logits.shape(1);
    if (targets.ndim() != 1 || targets.shape(0) != N)
        throw std::invalid_argument(std::string(op) + ": expected targets of shape (" + std::to_string(N) + ",), got " + shape_str(targets));
    return {N, C, data<int64_t>(targets, op, "targets", N)};
}

// reduction: 0 none, 1 mean, 2 sum. Returns (loss: [N] or 0-d, lse: [N], denominator of the mean).
template <typename T>
py::tuple cross_entropy_forward_t(const py::array& logits, const py::array& targets, const py::object& weight, int64_t ignore_index,
                                  double label_smoothing, int reduction, bool reference) {
    const char* op = "cross_entropy";
    const CeArgs a = ce_args(logits, targets, op);
    const T* z = data<T>(logits, op, "logits", a.N * a.C);
    const T* w = weight.is_none() ? nullptr : data<T>(py::cast<py::array>(weight), op, "weight", a.C);
    py::array_t<T> losses(a.N), lse(a.N);
    T* lp = losses.mutable_data();
    double total = 0.0, denom = 0.0;
    {
        py::gil_scoped_release release;
        dispatch::cross_entropy_forward<T>(lp, lse.mutable_data(), z, a.targets, w, a.N, a.C, ignore_index, T(label_smoothing), reference);
        if (reduction != 0) {
            // Summed in double, in order: reproducible, and exact enough for a float32 mean.
            for (int64_t n = 0; n < a.N; ++n) {
                total += double(lp[n]);
                const int64_t t = a.targets[n];
                if (t != ignore_index) denom += w ? double(w[t]) : 1.0;
            }
        }
    }
    if (reduction == 0) return py::make_tuple(losses, lse, 1.0);
    py::array_t<T> out(std::vector<py::ssize_t>{});
    *out.mutable_data() = T(reduction == 1 ? total / denom : total);  // mean over no target: 0/0 = nan, as torch
    return py::make_tuple(out, lse, denom);
}

py::tuple cross_entropy_forward(const py::array& logits, const py::array& targets, const py::object& weight, int64_t ignore_index,
                                double label_smoothing, int reduction, bool reference) {
    if (reduction < 0 || reduction > 2) throw std::invalid_argument("cross_entropy: unknown reduction code " + std::to_string(reduction));
    if (is_float(logits)) return cross_entropy_forward_t<float>(logits, targets, weight, ignore_index, label_smoothing, reduction, reference);
    return cross_entropy_forward_t<double>(logits, targets, weight, ignore_index, label_smoothing, reduction, reference);
}

// grad: the upstream gradient, one element (reduced loss) or N (reduction 'none'); it is
// multiplied by scale (1/denominator for 'mean').
template <typename T>
void cross_entropy_backward_t(const py::array& grad, const py::array& logits, const py::array& lse, const py::array& targets,
                              const py::object& weight, int64_t ignore_index, double label_smoothing, double scale, py::array& out,
                              bool reference) {
    const char* op = "cross_entropy_backward";
    const CeArgs a = ce_args(logits, targets, op);
    const T* z = data<T>(logits, op, "logits", a.N * a.C);
    const T* l = data<T>(lse, op, "lse", a.N);
    const T* w = weight.is_none() ? nullptr : data<T>(py::cast<py::array>(weight), op, "weight", a.C);
    T* d = data<T>(out, op, "out", a.N * a.C, true);
    const bool per_row = grad.size() != 1 || (a.N == 1 && grad.ndim() == 1);
    const T* g = data<T>(grad, op, "grad", per_row ? a.N : 1);
    const T g0 = per_row ? T(0) : T(double(*g) * scale);
    py::gil_scoped_release release;
    dispatch::cross_entropy_backward<T>(d, per_row ? g : &g0, per_row ? 1 : 0, z, l, a.targets, w, a.N, a.C, ignore_index,
                                        T(label_smoothing), reference);
}

void cross_entropy_backward(const py::array& grad, const py::array& logits, const py::array& lse, const py::array& targets,
                            const py::object& weight, int64_t ignore_index, double label_smoothing, double scale, py::array& out,
                            bool reference) {
    if (is_float(logits)) return cross_entropy_backward_t<float>(grad, logits, lse, targets, weight, ignore_index, label_smoothing, scale, out, reference);
    return cross_entropy_backward_t<double>(grad, logits, lse, targets, weight, ignore_index, label_smoothing, scale, out, reference);
}

}  // namespace

void init_nn(py::module_& m) {
    m.def("act_forward", &act_forward, py::arg("x"), py::arg("out"), py::arg("act"), py::arg("slope") = 0.01, py::arg("reference") = false,
          "out[...] = act(x), element-wise (out may be x).");
    m.def("act_backward", &act_backward, py::arg("grad"), py::arg("saved"), py::arg("out"), py::arg("act"), py::arg("slope") = 0.01,
          py::arg("from_output") = false, py::arg("reference") = false,
          "out[...] = grad * act'(saved); saved is the activation's input, or its output when from_output.");
    m.def("act_bias_backward", &act_bias_backward, py::arg("grad"), py::arg("saved"), py::arg("dz"), py::arg("db"), py::arg("act"),
          py::arg("slope") = 0.01, py::arg("from_output") = true, py::arg("accumulate") = false, py::arg("reference") = false,
          "Linear(+activation) backward helper over grad [M, N]: dz = grad * act'(saved) (skipped for act 0), and db (+)= column sums of dz.");
    m.def("softmax_forward", &softmax_forward, py::arg("x"), py::arg("out"), py::arg("log") = false, py::arg("reference") = false,
          "(log_)softmax over the last dimension of a C-contiguous array, into out.");
    m.def("softmax_backward", &softmax_backward, py::arg("grad"), py::arg("y"), py::arg("out"), py::arg("log") = false,
          py::arg("reference") = false, "Gradient of (log_)softmax over the last dimension, from its output y.");
    m.def("cross_entropy_forward", &cross_entropy_forward, py::arg("logits"), py::arg("targets"), py::arg("weight"), py::arg("ignore_index"),
          py::arg("label_smoothing"), py::arg("reduction"), py::arg("reference") = false,
          "Fused log-softmax + NLL (+ label smoothing) over logits (N, C); reduction 0 none, 1 mean, 2 sum. Returns (loss, lse, denominator).");
    m.def("cross_entropy_backward", &cross_entropy_backward, py::arg("grad"), py::arg("logits"), py::arg("lse"), py::arg("targets"),
          py::arg("weight"), py::arg("ignore_index"), py::arg("label_smoothing"), py::arg("scale"), py::arg("out"), py::arg("reference") = false,
          "d loss / d logits into out (N, C), grad (1 or N elements) scaled by scale.");
}

}  // namespace rp::bindings
