// Bindings for GEMM on NumPy arrays. A 2-D operand is read in place when one of its strides
// is the element size (C order, or a transposed view of C order); the Python side copies
// anything else first. C must have unit column stride and be writeable.
#include <pybind11/numpy.h>

#include <optional>
#include <stdexcept>
#include <utility>
#include <vector>
#include <string>

#include "bindings/bindings.h"
#include "dispatch/gemm.h"

namespace py = pybind11;

namespace rp::bindings {
namespace {

std::string shape_str(const py::array& x) {
    std::string s = "(";
    for (py::ssize_t i = 0; i < x.ndim(); ++i) s += (i ? ", " : "") + std::to_string(x.shape(i));
    return s + (x.ndim() == 1 ? ",)" : ")");
}

struct Operand {
    bool trans;
    int64_t ld;
};

// Describes a logical r x c operand stored row-major (trans=false) or as the transpose of a
// row-major c x r buffer (trans=true).
Operand classify(const py::array& x, const char* name) {
    const int64_t item = x.itemsize(), r = x.shape(0), c = x.shape(1);
    const int64_t s0 = x.strides(0), s1 = x.strides(1);
    if ((s1 == item || c <= 1) && s0 % item == 0 && s0 >= 0) return {false, r <= 1 ? std::max<int64_t>(c, 1) : std::max<int64_t>(s0 / item, 1)};
    if ((s0 == item || r <= 1) && s1 % item == 0 && s1 >= 0) return {true, c <= 1 ? std::max<int64_t>(r, 1) : std::max<int64_t>(s1 / item, 1)};
    throw std::invalid_argument(std::string("gemm: operand ") + name + " of shape " + shape_str(x) + " has no unit stride; make it contiguous first");
}

// An output (or gemm_pair operand) must already be a NumPy array: converting, say, a list would
// write the result into a temporary and lose it.
py::array ndarray(const py::handle& o, const char* what) {
    if (!py::isinstance<py::array>(o)) throw py::type_error(std::string("gemm: ") + what + " must be a NumPy array, got " + std::string(py::str(py::type::of(o).attr("__name__"))));
    return py::reinterpret_borrow<py::array>(o);
}

// Arguments of the A prologue (see kernels/gemm/gemm.h): the activation derivative and row sums.
struct PrologueArgs {
    py::object saved;
    int act;
    bool from_output;
    py::object row_sum;
    bool row_sum_accumulate;
};

template <typename T>
void set_prologue(kernels::GemmProblem<T>& p, const py::array& a, const Operand& oa, const PrologueArgs& pa) {
    if (!pa.saved.is_none()) {
        auto sv = py::cast<py::array>(pa.saved);
        if (sv.ndim() != 2 || sv.shape(0) != a.shape(0) || sv.shape(1) != a.shape(1) || sv.dtype().not_equal(a.dtype()))
            throw std::invalid_argument("gemm: a_saved must be shaped like A " + shape_str(a) + " with its dtype, got " + shape_str(sv));
        const Operand os = classify(sv, "a_saved");
        if (sv.size() && os.trans != oa.trans)
            throw std::invalid_argument("gemm: a_saved " + shape_str(sv) + " must have A's storage order (both transposed views or neither)");
        if (pa.act < 0 || pa.act > 7) throw std::invalid_argument("gemm: unknown a_act code " + std::to_string(pa.act));
        p.pro.s = static_cast<const T*>(sv.data());
        p.pro.lds = os.ld;
        p.pro.act = static_cast<kernels::Act>(pa.act);
        p.pro.from_output = pa.from_output;
        p.pro.slope = p.ep.slope;
    }
    if (!pa.row_sum.is_none()) {
        auto rv = ndarray(pa.row_sum, "row_sum");
        if (rv.ndim() != 1 || rv.shape(0) != p.m || rv.dtype().not_equal(a.dtype()) || !rv.writeable() ||
            (rv.shape(0) > 1 && rv.strides(0) != int64_t(sizeof(T))))
            throw std::invalid_argument("gemm: row_sum must be a writeable contiguous 1-D array of " + std::to_string(p.m) +
                                        " elements of the operands' dtype, got shape " + shape_str(rv));
        p.pro.row_sum = static_cast<T*>(rv.mutable_data());
        p.pro.row_sum_accumulate = pa.row_sum_accumulate;
    }
}

// The arguments of one gemm() call, as Python passes them.
struct GemmArgs {
    py::array a, b, c;
    double alpha, beta;
    py::object bias;
    int act;
    double slope;
    bool reference;
    py::object pre;
    PrologueArgs pro;
};

template <typename T>
kernels::GemmProblem<T> problem(const GemmArgs& g) {
    const py::array &a = g.a, &b = g.b;
    py::array c = g.c;  // a handle, for mutable_data()
    kernels::GemmProblem<T> p;
    const Operand oa = classify(a, "A"), ob = classify(b, "B");
    p.trans_a = oa.trans;
    p.lda = oa.ld;
    p.trans_b = ob.trans;
    p.ldb = ob.ld;
    p.m = a.shape(0);
    p.k = a.shape(1);
    p.n = b.shape(1);
    p.alpha = T(g.alpha);
    p.beta = T(g.beta);
    p.a = static_cast<const T*>(a.data());
    p.b = static_cast<const T*>(b.data());
    p.c = static_cast<T*>(c.mutable_data());
    p.ldc = c.shape(0) <= 1 ? std::max<int64_t>(p.n, 1) : c.strides(0) / int64_t(sizeof(T));
    if (!g.bias.is_none()) {
        auto bv = py::cast<py::array>(g.bias);
        if (bv.ndim() != 1 || bv.shape(0) != p.n || bv.dtype().not_equal(a.dtype()) || (bv.shape(0) > 1 && bv.strides(0) != int64_t(sizeof(T))))
            throw std::invalid_argument("gemm: bias must be a contiguous 1-D array of " + std::to_string(p.n) + " elements of the operands' dtype, got shape " + shape_str(bv));
        p.ep.bias = static_cast<const T*>(bv.data());
    }
    if (g.act < 0 || g.act > 7) throw std::invalid_argument("gemm: unknown activation code " + std::to_string(g.act));
    p.ep.act = static_cast<kernels::Act>(g.act);
    p.ep.slope = T(g.slope);
    if (!g.pre.is_none()) {
        auto pv = ndarray(g.pre, "pre");
        if (pv.ndim() != 2 || pv.shape(0) != c.shape(0) || pv.shape(1) != c.shape(1) || pv.dtype().not_equal(c.dtype()) || !pv.writeable() ||
            (pv.size() && ((pv.shape(1) > 1 && pv.strides(1) != int64_t(sizeof(T))) || (pv.shape(0) > 1 && (pv.strides(0) < 0 || pv.strides(0) % int64_t(sizeof(T)))))))
            throw std::invalid_argument("gemm: pre must be a writeable array shaped like C " + shape_str(c) + " with unit column stride, got " + shape_str(pv));
        p.ep.pre = static_cast<T*>(pv.mutable_data());
        p.ep.ldpre = pv.shape(0) <= 1 ? std::max<int64_t>(p.n, 1) : pv.strides(0) / int64_t(sizeof(T));
    }
    set_prologue(p, a, oa, g.pro);
    return p;
}

// Shapes, dtypes and C's layout; returns whether the operands are float64 (else float32).
bool check_arrays(const py::array& a, const py::array& b, const py::array& c) {
    if (a.ndim() != 2 || b.ndim() != 2 || c.ndim() != 2)
        throw std::invalid_argument("gemm: expected 2-D operands, got A " + shape_str(a) + ", B " + shape_str(b) + ", C " + shape_str(c));
    if (a.shape(1) != b.shape(0) || c.shape(0) != a.shape(0) || c.shape(1) != b.shape(1))
        throw std::invalid_argument("gemm: shapes A " + shape_str(a) + " @ B " + shape_str(b) + " -> C " + shape_str(c) + " do not match");
    if (a.dtype().not_equal(b.dtype()) || a.dtype().not_equal(c.dtype()))
        throw py::type_error("gemm: operands must share one dtype, got A " + std::string(py::str(a.dtype())) + ", B " + std::string(py::str(b.dtype())) + ", C " + std::string(py::str(c.dtype())));
    if (!c.writeable()) throw std::invalid_argument("gemm: output C is read-only");
    // (NumPy gives zero-size arrays zero strides: nothing to check or write then.)
    if (c.size() && c.shape(1) > 1 && c.strides(1) != c.itemsize()) throw std::invalid_argument("gemm: output C " + shape_str(c) + " must have unit column stride");
    if (c.size() && c.shape(0) > 1 && (c.strides(0) < 0 || c.strides(0) % c.itemsize())) throw std::invalid_argument("gemm: output C " + shape_str(c) + " has an unsupported row stride");
    if (a.dtype().equal(py::dtype::of<double>())) return true;
    if (a.dtype().equal(py::dtype::of<float>())) return false;
    throw py::type_error("gemm: expected float32 or float64 operands, got " + std::string(py::str(a.dtype())));
}

template <typename T>
void run(const GemmArgs& g) {
    const kernels::GemmProblem<T> p = problem<T>(g);
    py::gil_scoped_release release;
    if (g.reference) dispatch::gemm_reference(p);
    else dispatch::gemm(p);
}

void gemm(const py::array& a, const py::array& b, py::array& c, double alpha, double beta, const py::object& bias, int act, double slope,
          bool reference, const py::object& pre, const py::object& a_saved, int a_act, bool a_from_output, const py::object& row_sum,
          bool row_sum_accumulate) {
    const GemmArgs g{a, b, c, alpha, beta, bias, act, slope, reference, pre, {a_saved, a_act, a_from_output, row_sum, row_sum_accumulate}};
    if (check_arrays(a, b, c)) run<double>(g);
    else run<float>(g);
}

// One gemm() argument tuple (a, b, c, alpha, beta, bias, act, slope, pre, a_saved, a_act,
// a_from_output, row_sum, row_sum_accumulate): gemm's positional arguments without `reference`.
GemmArgs pair_args(const py::tuple& t, const char* which, const char* fn = "gemm_pair") {
    if (t.size() != 14)
        throw std::invalid_argument(std::string(fn) + ": " + which + " must hold the 14 arguments (a, b, c, alpha, beta, bias, act, slope, pre, "
                                    "a_saved, a_act, a_from_output, row_sum, row_sum_accumulate), got " + std::to_string(t.size()));
    GemmArgs g{ndarray(t[0], "a"), ndarray(t[1], "b"), ndarray(t[2], "c"), t[3].cast<double>(), t[4].cast<double>(),
               t[5], t[6].cast<int>(), t[7].cast<double>(), false, t[8],
               {t[9], t[10].cast<int>(), t[11].cast<bool>(), t[12], t[13].cast<bool>()}};
    return g;
}

// gemm_sequence's steps: each a gemm_pair tuple (one product) or a pair of them.
template <typename T>
void run_sequence(const std::vector<std::pair<GemmArgs, std::optional<GemmArgs>>>& args) {
    std::vector<dispatch::GemmStep<T>> steps(args.size());
    for (size_t i = 0; i < args.size(); ++i) {
        steps[i].first = problem<T>(args[i].first);
        if (args[i].second) {
            steps[i].second = problem<T>(*args[i].second);
            steps[i].pair = true;
        }
    }
    py::gil_scoped_release release;
    dispatch::gemm_sequence(steps);
}

void gemm_pair(const py::tuple& first, const py::tuple& second) {
    const GemmArgs g1 = pair_args(first, "first"), g2 = pair_args(second, "second");
    const bool d1 = check_arrays(g1.a, g1.b, g1.c), d2 = check_arrays(g2.a, g2.b, g2.c);
    if (d1 != d2)
        throw py::type_error("gemm_pair: both products must have one dtype, got " + std::string(py::str(g1.a.dtype())) + " and " +
                             std::string(py::str(g2.a.dtype())));
    if (d1) run_sequence<double>({{g1, g2}});  // one step: the pair
    else run_sequence<float>({{g1, g2}});
}

void gemm_sequence(const py::list& steps) {
    std::vector<std::pair<GemmArgs, std::optional<GemmArgs>>> args;
    args.reserve(steps.size());
    int dtype = -1;  // 1: float64, 0: float32
    for (const py::handle& h : steps) {
        if (!py::isinstance<py::tuple>(h))
            throw py::type_error("gemm_sequence: each step must be a tuple, got " + std::string(py::str(py::type::of(h).attr("__name__"))));
        const py::tuple t = py::reinterpret_borrow<py::tuple>(h);
        const bool paired = t.size() == 2;
        if (paired) args.emplace_back(pair_args(t[0].cast<py::tuple>(), "a pair's first", "gemm_sequence"),
                                      pair_args(t[1].cast<py::tuple>(), "a pair's second", "gemm_sequence"));
        else args.emplace_back(pair_args(t, "a step", "gemm_sequence"), std::nullopt);
        for (const GemmArgs* g : {&args.back().first, args.back().second ? &*args.back().second : nullptr}) {
            if (!g) continue;
            const int d = check_arrays(g->a, g->b, g->c);
            if (dtype >= 0 && d != dtype) throw py::type_error("gemm_sequence: every product must have one dtype");
            dtype = d;
        }
    }
    if (dtype == 1) run_sequence<double>(args);
    else run_sequence<float>(args);
}

}  // namespace

void init_gemm(py::module_& m) {
    m.def("gemm", &gemm, py::arg("a"), py::arg("b"), py::arg("c"), py::arg("alpha") = 1.0, py::arg("beta") = 0.0,
          py::arg("bias") = py::none(), py::arg("act") = 0, py::arg("slope") = 0.01, py::arg("reference") = false,
          py::arg("pre") = py::none(), py::arg("a_saved") = py::none(), py::arg("a_act") = 0, py::arg("a_from_output") = true,
          py::arg("row_sum") = py::none(), py::arg("row_sum_accumulate") = false,
          "c[...] = act(alpha * a @ b + beta * c + bias), in place. a and b may be transposed views. "
          "pre, if given (shaped like c), receives the pre-activation alpha * a @ b + beta * c + bias. "
          "a_saved (shaped and laid out like a) replaces a by a * act'(a_saved) (a_act; a_saved is the activation's "
          "output when a_from_output, else its input); row_sum (length of a's rows) receives (or, with "
          "row_sum_accumulate, adds) the row sums of that a: a Linear layer's bias gradient.");
    m.def("gemm_pair", &gemm_pair, py::arg("first"), py::arg("second"),
          "Two independent gemm() calls, each given as a tuple of gemm's positional arguments without `reference` "
          "(a, b, c, alpha, beta, bias, act, slope, pre, a_saved, a_act, a_from_output, row_sum, row_sum_accumulate). "
          "Neither may read or write the other's outputs. On two threads they run at once, one per thread; the "
          "results are those of the two calls in turn.");
    m.def("gemm_sequence", &gemm_sequence, py::arg("steps"),
          "gemm() calls in order, each step a gemm_pair tuple (one product) or a pair of them (run as gemm_pair runs "
          "them); a step may read what an earlier one wrote. Every product is checked before the first runs.");
    m.def("_fma_peak_gflops", &dispatch::fma_peak_gflops, py::arg("threads"), py::call_guard<py::gil_scoped_release>(),
          "Measured float FMA throughput (GFLOP/s) of the active instruction set on `threads` threads (for benchmarks).");
}

}  // namespace rp::bindings
