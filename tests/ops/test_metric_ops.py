"""Tensor functions that metric and evaluation code reaches for (bincount, unique, diag, median,
quantile, ...): integer/bool results exactly against torch, differentiable ones through
conftest.check_op (float64 gradcheck plus float32 values and gradients against torch)."""
import numpy as np
import pytest

import retroprop as rp

LABELS = [0, 1, 1, 3, 1, 0]
M = [[5, 1, 0], [2, 7, 0], [0, 0, 3]]
NAN = float("nan")
X = [[1.5, -2.0, 3.0, 0.0], [4.0, 4.0, -1.0, 0.0], [0.5, 2.0, 2.0, -3.5]]


def _same(r, t):
    """r equals torch result t exactly: type, shape, dtype and values (tuples element-wise)."""
    if isinstance(t, tuple):
        assert isinstance(r, tuple) and len(r) == len(t)
        for a, b in zip(r, t):
            _same(a, b)
        return
    assert tuple(r.shape) == tuple(t.shape) and "torch." + str(r.dtype) == str(t.dtype)
    np.testing.assert_array_equal(r.numpy(), t.numpy())


EXACT = {
    "bincount": lambda L: L.bincount(L.tensor(LABELS)),
    "bincount_method_minlength": lambda L: L.tensor(LABELS).bincount(minlength=6),
    "bincount_empty": lambda L: L.bincount(L.tensor([], dtype=L.int64)),
    "bincount_weights_f32": lambda L: L.bincount(L.tensor(LABELS), L.tensor([1.0, 2, 3, 4, 5, 6])),
    "bincount_weights_int": lambda L: L.bincount(L.tensor(LABELS), weights=L.tensor([1, 2, 3, 4, 5, 6])),
    "bincount_weights_f64": lambda L: L.bincount(L.tensor(LABELS), L.tensor([1.0] * 6, dtype=L.float64), 5),
    "diag_matrix": lambda L: L.tensor(M).diag(),
    "diag_offset": lambda L: L.diag(L.tensor(M), 1),
    "diag_neg_offset": lambda L: L.diag(L.tensor(M)[:, :2], -1),
    "diag_vector": lambda L: L.diag(L.tensor([1, 2, 3])),
    "diag_vector_offset": lambda L: L.tensor([1.0, 2.0]).diag(-1),
    "diagonal_3d": lambda L: L.tensor([M, M]).diagonal(offset=1, dim1=0, dim2=2),
    "diagonal_offset_too_big": lambda L: L.diagonal(L.tensor(M), 5),
    "trace": lambda L: L.tensor(M).trace(),
    "trace_int32": lambda L: L.trace(L.tensor(M, dtype=L.int32)),
    "trace_rect": lambda L: L.trace(L.tensor(X)),
    "unique": lambda L: L.unique(L.tensor([3, 1, 3, 2, 1])),
    "unique_all": lambda L: L.tensor([[3.0, 1.0], [3.0, 0.5]]).unique(return_inverse=True, return_counts=True),
    "unique_counts": lambda L: L.unique(L.tensor([3, 1, 3]), return_counts=True),
    "unique_inverse": lambda L: L.unique(L.tensor([True, False, True]), sorted=True, return_inverse=True),
    "unique_dim": lambda L: L.unique(L.tensor([[3, 1], [3, 1], [0, 2]]), dim=0, return_inverse=True,
                                     return_counts=True),
    "unique_nan": lambda L: L.unique(L.tensor([NAN, 1.0, NAN, 1.0]), return_inverse=True, return_counts=True),
    "unique_dim_nan": lambda L: L.unique(L.tensor([[NAN, 1.0], [NAN, 1.0]]), dim=0),
    "nonzero": lambda L: L.nonzero(L.tensor(X)),
    "nonzero_tuple": lambda L: L.tensor(X).nonzero(as_tuple=True),
    "nonzero_0d": lambda L: L.nonzero(L.tensor(3)),
    "nonzero_0d_false": lambda L: L.tensor(0.0).nonzero(),
    "nonzero_0d_tuple": lambda L: L.nonzero(L.tensor(3), as_tuple=True),
    "argwhere": lambda L: L.argwhere(L.tensor(M)),
    "argwhere_method": lambda L: (L.tensor(X) > 1).argwhere(),
    "count_nonzero": lambda L: L.count_nonzero(L.tensor(X)),
    "count_nonzero_dim": lambda L: L.tensor(X).count_nonzero(dim=0),
    "count_nonzero_dims": lambda L: L.count_nonzero(L.tensor([M, M]), dim=(0, 2)),
    "masked_select": lambda L: L.masked_select(L.tensor(X), L.tensor(X) > 1),
    "masked_select_broadcast": lambda L: L.tensor(X).masked_select(L.tensor([True, False, False, True])),
}


@pytest.mark.parametrize("name", sorted(EXACT))
def test_exact_against_torch(name):
    torch = pytest.importorskip("torch")
    _same(EXACT[name](rp), EXACT[name](torch))


ERRORS = {
    "bincount_negative": (lambda L: L.bincount(L.tensor([-1, 2])), RuntimeError),
    "bincount_2d": (lambda L: L.bincount(L.tensor([[1, 2]])), RuntimeError),
    "bincount_float": (lambda L: L.bincount(L.tensor([1.0, 2.0])), NotImplementedError),
    "bincount_bool": (lambda L: L.bincount(L.tensor([True])), NotImplementedError),
    "bincount_minlength": (lambda L: L.bincount(L.tensor([1]), minlength=-1), RuntimeError),
    "bincount_weights_len": (lambda L: L.bincount(L.tensor([1, 2]), L.tensor([1.0])), RuntimeError),
    "diag_3d": (lambda L: L.diag(L.ones(2, 2, 2)), RuntimeError),
    "diag_0d": (lambda L: L.diag(L.tensor(2.0)), RuntimeError),
    "diagonal_same_dims": (lambda L: L.diagonal(L.ones(2, 2), 0, 1, 1), RuntimeError),
    "trace_1d": (lambda L: L.trace(L.ones(3)), RuntimeError),
    "masked_select_int_mask": (lambda L: L.masked_select(L.ones(2), L.tensor([1, 0])), RuntimeError),
    "unique_dim_range": (lambda L: L.unique(L.ones(2), dim=1), IndexError),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors_as_torch(name):
    """The exception type torch raises (messages differ in wording but name the operation)."""
    fn, exc = ERRORS[name]
    with pytest.raises(exc):
        fn(rp)
    torch = pytest.importorskip("torch")
    with pytest.raises(exc):
        fn(torch)


def test_diagonal_is_a_writable_view():
    """torch's diagonal shares memory: writing through it changes the matrix."""
    m = rp.zeros(3, 3)
    m.diagonal().fill_(2.0)
    m.diagonal(1)[0] = 5.0
    assert m.tolist() == [[2.0, 5.0, 0.0], [0.0, 2.0, 0.0], [0.0, 0.0, 2.0]]


DIFFERENTIABLE = {
    "diag_matrix": (lambda L, a: L.diag(a), [(3, 4)]),
    "diag_matrix_offset": (lambda L, a: a.diag(-1), [(3, 4)]),
    "diag_vector": (lambda L, a: L.diag(a, 1), [(3,)]),
    "diagonal_3d": (lambda L, a: a.diagonal(0, 2, 0), [(3, 2, 4)]),
    "diagonal_then_op": (lambda L, a: L.diagonal(a * 2, offset=1) ** 2, [(4, 4)]),
    "trace": (lambda L, a: a.trace(), [(3, 4)]),
    "masked_select": (lambda L, a: L.masked_select(a, a > 0), [(3, 4)]),
    "masked_select_broadcast": (lambda L, a: a.masked_select(L.tensor([[True], [False], [True]])), [(3, 4)]),
}


@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE))
def test_differentiable(check, name):
    fn, shapes = DIFFERENTIABLE[name]
    check(fn, shapes, "nonzero")


TIES = [[1.0, 2.0, 2.0, 1.0, 5.0, 2.0], [3.0, 3.0, 3.0, 3.0, 0.0, 0.0], [1.0, 2.0, 2.0, 1.0, 9.0, 9.0]]

EXACT_2 = {
    "median": lambda L: L.median(L.tensor(X)),
    "median_even_is_lower": lambda L: L.tensor([1.0, 2.0, 3.0, 4.0]).median(),
    "median_int": lambda L: L.median(L.tensor([4, 1, 3, 2])),
    "median_nan": lambda L: L.median(L.tensor([1.0, NAN, 2.0])),
    "median_dim_ties": lambda L: L.median(L.tensor(TIES), dim=1),
    "median_dim_keep": lambda L: L.tensor(TIES).median(0, keepdim=True),
    "median_dim_nan": lambda L: L.median(L.tensor([[1.0, NAN, 2.0, NAN]]), 1),
    "median_dim_int": lambda L: L.tensor(M).median(dim=-1),
    "median_0d": lambda L: L.median(L.tensor(3.0), 0),
    "nanmedian": lambda L: L.nanmedian(L.tensor([1.0, NAN, 2.0])),
    "nanmedian_dim": lambda L: L.tensor([[1.0, NAN, 2.0, 5.0], [NAN, 4.0, 4.0, NAN]]).nanmedian(1),
    "quantile_nearest": lambda L: L.quantile(L.tensor([1.0, 2, 3, 4]), L.tensor([0.125, 0.5, 0.375, 0.625]),
                                             interpolation="nearest"),
    "quantile_nan": lambda L: L.quantile(L.tensor([[1.0, 2, NAN], [1, 2, 3]]), 0.5, dim=1),
    "nanquantile": lambda L: L.nanquantile(L.tensor([[1.0, 2, NAN], [NAN] * 3]), L.tensor([0.5, 0.2]), dim=1,
                                           keepdim=True),
    "cumprod_int": lambda L: L.cumprod(L.tensor([[1, 2, 3], [0, 4, 5]]), 1),
    "cumprod_bool": lambda L: L.tensor([True, True, False]).cumprod(0),
    "roll_flat": lambda L: L.roll(L.tensor(M), 1),
    "roll_dims": lambda L: L.tensor(M).roll((1, -4), (0, 1)),
    "roll_0d": lambda L: L.roll(L.tensor(3.0), 1),
    "repeat_interleave_flat": lambda L: L.repeat_interleave(L.tensor(M), 2),
    "repeat_interleave_tensor": lambda L: L.tensor(M).repeat_interleave(L.tensor([1, 0, 2]), dim=0),
    "repeat_interleave_single": lambda L: L.repeat_interleave(L.tensor(M), L.tensor([2]), dim=1),
    "repeat_interleave_counts": lambda L: L.repeat_interleave(L.tensor([2, 0, 1])),
    "hstack_1d": lambda L: L.hstack([L.tensor([1, 2]), L.tensor(3), L.tensor([4.0])]),
    "hstack_2d": lambda L: L.hstack((L.tensor(M), L.tensor(M)[:, :1])),
    "vstack": lambda L: L.vstack([L.tensor([1, 2, 3]), L.tensor(M)]),
    "vstack_0d": lambda L: L.vstack([L.tensor(1), L.tensor(2)]),
    "row_stack": lambda L: L.row_stack([L.tensor([1, 2]), L.tensor([3, 4])]),
    "column_stack": lambda L: L.column_stack([L.tensor([1, 2]), L.tensor([[3], [4]])]),
    "column_stack_0d": lambda L: L.column_stack([L.tensor(1), L.tensor(2)]),
    "log2_int": lambda L: L.log2(L.tensor([1, 8])),
    "log10": lambda L: L.tensor([1.0, 1000.0]).log10(),
    "atan2_int": lambda L: L.atan2(L.tensor([1, 8, -1]), L.tensor([1, 1, 0])),
    "arctan2": lambda L: L.arctan2(L.tensor([1.0, -1.0]), L.tensor([-1.0, -1.0])),
    "fmod_int": lambda L: L.fmod(L.tensor([-3, 8]), 2),
    "fmod_int_float": lambda L: L.tensor([-3, 8]).fmod(2.5),
    "fmod_float": lambda L: L.fmod(L.tensor([-3.0, 8.0]), L.tensor([2.0, -3.0])),
    "frac": lambda L: L.frac(L.tensor([-3.5, 8.0, 2.25])),
    "nan_to_num": lambda L: L.nan_to_num(L.tensor([NAN, float("inf"), -float("inf"), 1.0])),
    "nan_to_num_f64": lambda L: L.tensor([NAN, float("inf"), -float("inf")], dtype=L.float64).nan_to_num(),
    "nan_to_num_values": lambda L: L.nan_to_num(L.tensor([NAN, float("inf"), -float("inf")]), nan=1.0, posinf=2.0,
                                                neginf=-2.0),
    "nan_to_num_int": lambda L: L.nan_to_num(L.tensor([1, 2])),
}


@pytest.mark.parametrize("name", sorted(EXACT_2))
def test_exact_against_torch_2(name):
    """Exact: the results are selections, integer arithmetic or single correctly rounded operations."""
    torch = pytest.importorskip("torch")
    r, t = EXACT_2[name](rp), EXACT_2[name](torch)
    if hasattr(t, "indices"):
        assert type(r).__name__ == type(t).__name__
    _same(tuple(r) if isinstance(r, tuple) else r, tuple(t) if isinstance(t, tuple) else t)


QUANTILE_MODES = ["linear", "lower", "higher", "midpoint", "nearest"]


@pytest.mark.parametrize("interpolation", QUANTILE_MODES)
@pytest.mark.parametrize("case", ["scalar_all", "tensor_all_keep", "dim", "dim_keep", "tensor_dim_neg", "0d_q"])
def test_quantile_against_torch(interpolation, case):
    """float32 values; rtol 1e-6 as the interpolation lo + w * (hi - lo) may round differently
    from torch's lerp in the last bit."""
    torch = pytest.importorskip("torch")
    data = np.random.default_rng(3).standard_normal((3, 5, 4)).astype(np.float32)
    fn = {"scalar_all": lambda L, x: L.quantile(x, 0.37, interpolation=interpolation),
          "tensor_all_keep": lambda L, x: x.quantile(L.tensor([0.0, 0.25, 0.6, 1.0]), keepdim=True,
                                                     interpolation=interpolation),
          "dim": lambda L, x: L.quantile(x, 0.5, dim=1, interpolation=interpolation),
          "dim_keep": lambda L, x: x.quantile(0.9, 2, True, interpolation=interpolation),
          "tensor_dim_neg": lambda L, x: L.nanquantile(x, L.tensor([0.1, 0.55]), dim=-1, interpolation=interpolation),
          "0d_q": lambda L, x: L.quantile(x, L.tensor(0.3), dim=0, interpolation=interpolation)}[case]
    r, t = fn(rp, rp.tensor(data)), fn(torch, torch.tensor(data))
    assert tuple(r.shape) == tuple(t.shape) and "torch." + str(r.dtype) == str(t.dtype)
    np.testing.assert_allclose(r.numpy(), t.numpy(), rtol=1e-6)


ERRORS_2 = {
    "quantile_int": (lambda L: L.quantile(L.tensor([1, 2]), 0.5), RuntimeError),
    "quantile_q_range": (lambda L: L.quantile(L.tensor([1.0, 2.0]), 1.5), RuntimeError),
    "quantile_q_2d": (lambda L: L.quantile(L.tensor([1.0, 2.0]), L.tensor([[0.5]])), RuntimeError),
    "quantile_q_dtype": (lambda L: L.quantile(L.tensor([1.0]), L.tensor([0.5], dtype=L.float64)), RuntimeError),
    "quantile_mode": (lambda L: L.quantile(L.tensor([1.0, 2.0]), 0.5, interpolation="foo"), RuntimeError),
    "quantile_empty": (lambda L: L.quantile(L.tensor([]), 0.5), RuntimeError),
    "median_empty_dim": (lambda L: L.median(L.ones(2, 0), 1), IndexError),
    "roll_misaligned": (lambda L: L.roll(L.ones(2, 3), (1, 1), (0,)), RuntimeError),
    "repeat_interleave_len": (lambda L: L.repeat_interleave(L.ones(2, 2), L.tensor([1, 2, 3]), dim=0), RuntimeError),
    "repeat_interleave_neg": (lambda L: L.repeat_interleave(L.ones(2), -1), RuntimeError),
    "fmod_int_zero": (lambda L: L.fmod(L.tensor([1, 2]), 0), RuntimeError),
    "frac_int": (lambda L: L.frac(L.tensor([1, 2])), NotImplementedError),
    "hstack_empty": (lambda L: L.hstack([]), RuntimeError),
}


@pytest.mark.parametrize("name", sorted(ERRORS_2))
def test_errors_as_torch_2(name):
    fn, exc = ERRORS_2[name]
    with pytest.raises(exc):
        fn(rp)
    torch = pytest.importorskip("torch")
    with pytest.raises(exc):
        fn(torch)


DIFFERENTIABLE_2 = {
    "median": (lambda L, a: L.median(a), [(3, 4)]),
    "median_dim": (lambda L, a: a.median(1).values, [(3, 5)]),
    "median_dim_keep": (lambda L, a: L.median(a, 0, keepdim=True)[0], [(4, 3)]),
    "nanmedian_dim": (lambda L, a: a.nanmedian(-1).values, [(2, 3)]),
    "quantile": (lambda L, a: L.quantile(a, 0.3), [(3, 4)]),
    "quantile_q_tensor_dim": (lambda L, a: a.quantile(L.tensor([0.2, 0.5, 1.0], dtype=a.dtype), dim=1), [(3, 4)]),
    "quantile_keep_midpoint": (lambda L, a: L.quantile(a, 0.4, 0, True, interpolation="midpoint"), [(5, 2)]),
    "quantile_lower": (lambda L, a: L.quantile(a, 0.7, dim=-1, interpolation="lower"), [(2, 5)]),
    "nanquantile": (lambda L, a: L.nanquantile(a, 0.8, dim=0), [(4, 3)]),
    "cumprod": (lambda L, a: L.cumprod(a, 1), [(3, 4)]),
    "amax_dims": (lambda L, a: L.amax(a, (0, 2)), [(2, 3, 4)]),
    "amin_all_keep": (lambda L, a: a.amin(keepdim=True), [(2, 3)]),
    "amax_ties": (lambda L, a: L.amax(L.cat([a, a], 1), dim=1), [(3, 2)]),
    "cumprod_0d": (lambda L, a: a.cumprod(0), [()]),
    "roll": (lambda L, a: L.roll(a, (1, -2), (0, 1)), [(3, 4)]),
    "roll_flat": (lambda L, a: a.roll(5), [(3, 4)]),
    "repeat_interleave": (lambda L, a: L.repeat_interleave(a, 2, dim=1), [(3, 4)]),
    "repeat_interleave_tensor": (lambda L, a: a.repeat_interleave(L.tensor([2, 0, 1]), dim=0), [(3, 4)]),
    "repeat_interleave_flat": (lambda L, a: L.repeat_interleave(a, 3), [(2, 2)]),
    "hstack": (lambda L, a, b: L.hstack([a, b]), [(3,), (2,)]),
    "vstack": (lambda L, a, b: L.vstack([a, b]), [(3,), (2, 3)]),
    "column_stack": (lambda L, a, b: L.column_stack([a, b]), [(3,), (3, 2)]),
    "log2": (lambda L, a: L.log2(a), [(3, 4)]),
    "log10": (lambda L, a: a.log10(), [(3, 4)]),
    "frac": (lambda L, a: L.frac(a * 3), [(3, 4)]),
    "nan_to_num": (lambda L, a: L.nan_to_num(L.log(a - 1)), [(3, 4)]),
    "atan2": (lambda L, a, b: L.atan2(a, b), [(3, 4), (4,)]),
    "fmod": (lambda L, a, b: L.fmod(a * 3, b), [(3, 4), (3, 1)]),
}


@pytest.mark.filterwarnings("ignore:invalid value encountered")  # nan_to_num's case makes NaNs on purpose
@pytest.mark.parametrize("name", sorted(DIFFERENTIABLE_2))
def test_differentiable_2(check, name):
    """Random continuous inputs, so no ties (torch leaves the index of a tie unspecified)."""
    fn, shapes = DIFFERENTIABLE_2[name]
    check(fn, shapes, "pos")


def test_cumprod_gradient_through_zeros(check):
    """The division shortcut out / x fails at zeros: the exact path must take over."""
    def fn(L, a):
        return L.cumprod(a * L.tensor([[1.0, 0.0, 1.0, 1.0], [0.0, 1.0, 0.0, 1.0], [1.0, 1.0, 1.0, 0.0]],
                                      dtype=a.dtype), 1)
    check(fn, [(3, 4)], "nonzero")
    a = rp.tensor([2.0, 0.0, 3.0, 0.0, 4.0], requires_grad=True)
    rp.cumprod(a, 0).sum().backward()
    assert a.grad.tolist() == [1.0, 8.0, 0.0, 0.0, 0.0]  # torch's value for this input


def test_median_gradient_splits_ties():
    """median() without dim spreads the gradient evenly over tied elements, as torch does."""
    a = rp.tensor([1.0, 2.0, 2.0, 3.0, 5.0], requires_grad=True)
    a.median().backward()
    assert a.grad.tolist() == [0.0, 0.5, 0.5, 0.0, 0.0]


AXIS = {
    "sum": lambda L, x: x.sum(axis=1), "sum_fn_keep": lambda L, x: L.sum(x, axis=0, keepdim=True),
    "mean": lambda L, x: L.mean(x, axis=-1), "std": lambda L, x: x.std(axis=0), "var": lambda L, x: L.var(x, axis=1),
    "std_mean": lambda L, x: L.std_mean(x, axis=1), "prod": lambda L, x: x.prod(axis=1),
    "max": lambda L, x: tuple(x.max(axis=1)), "min": lambda L, x: tuple(L.min(x, axis=0)),
    "argmax": lambda L, x: x.argmax(axis=1), "argmin": lambda L, x: L.argmin(x, axis=0),
    "amax": lambda L, x: x.amax(axis=1), "amin": lambda L, x: L.amin(x, axis=(0, 1)),
    "any": lambda L, x: (x > 3).any(axis=1), "all": lambda L, x: L.all(x > -3, axis=0),
    "cumsum": lambda L, x: x.cumsum(axis=1), "cumprod": lambda L, x: L.cumprod(x, axis=0),
    "logsumexp": lambda L, x: L.logsumexp(x, axis=1), "median": lambda L, x: tuple(x.median(axis=1)),
    "quantile": lambda L, x: L.quantile(x, 0.5, axis=0), "count_nonzero": lambda L, x: x.count_nonzero(axis=0),
    "squeeze": lambda L, x: x[:1].squeeze(axis=0), "unsqueeze": lambda L, x: L.unsqueeze(x, axis=1),
    "softmax": lambda L, x: L.softmax(x, axis=1), "sort": lambda L, x: tuple(x.sort(axis=0)),
    "argsort": lambda L, x: L.argsort(x, axis=1), "topk": lambda L, x: tuple(x.topk(2, axis=0)),
    "chunk": lambda L, x: x.chunk(2, axis=1), "unbind": lambda L, x: L.unbind(x, axis=1),
    "repeat_interleave": lambda L, x: x.repeat_interleave(2, axis=0),
    "cat": lambda L, x: L.cat([x, x], axis=1), "concat": lambda L, x: L.concat([x, x], axis=0),
    "stack": lambda L, x: L.stack([x, x], axis=2),
    "gather": lambda L, x: x.gather(axis=1, index=L.tensor([[0], [2], [1]])),
    "index_select": lambda L, x: L.index_select(x, axis=1, index=L.tensor([3, 0])),
    "select": lambda L, x: L.select(x, axis=1, index=2), "narrow": lambda L, x: x.narrow(axis=1, start=1, length=2),
    "moveaxis": lambda L, x: L.moveaxis(x[None], 0, 2),
}


@pytest.mark.parametrize("name", sorted(AXIS))
def test_axis_alias_of_dim(name):
    """Selections and integer results exactly; std/var/softmax... to rtol 1e-6 (float32 sums in
    another order may differ in the last bit)."""
    torch = pytest.importorskip("torch")
    r, t = AXIS[name](rp, rp.tensor(X)), AXIS[name](torch, torch.tensor(X))
    for a, b in zip(r if isinstance(r, tuple) else (r,), t if isinstance(t, tuple) else (t,)):
        assert tuple(a.shape) == tuple(b.shape) and "torch." + str(a.dtype) == str(b.dtype)
        np.testing.assert_allclose(a.numpy(), b.numpy(), rtol=1e-6)


@pytest.mark.parametrize("call", [lambda L, x: x.sum(dim=0, axis=1), lambda L, x: L.sum(x, 0, axis=1),
                                  lambda L, x: L.cat([x, x], dim=0, axis=1)])
def test_dim_and_axis_together_is_an_error(call):
    with pytest.raises(TypeError, match="axis"):
        call(rp, rp.tensor(X))


@pytest.mark.parametrize("call", [lambda L, x: L.norm(x, axis=1), lambda L, x: x.flip(axis=0),
                                  lambda L, x: L.roll(x, 1, axis=0), lambda L, x: x.split(1, axis=0)])
def test_axis_rejected_where_torch_rejects_it(call):
    with pytest.raises(TypeError):
        call(rp, rp.tensor(X))
    torch = pytest.importorskip("torch")
    with pytest.raises(TypeError):
        call(torch, torch.tensor(X))


INPLACE_VALUES = {
    "relu_": lambda L, t: t.relu_(), "sigmoid_": lambda L, t: t.sigmoid_(), "tanh_": lambda L, t: t.tanh_(),
    "abs_": lambda L, t: t.abs_(), "exp_": lambda L, t: t.exp_(), "sqrt_": lambda L, t: t.abs_().sqrt_(),
    "log_": lambda L, t: t.abs_().log_(), "neg_": lambda L, t: t.neg_(),
    "clamp_min_": lambda L, t: t.clamp_min_(0.5), "clamp_max_": lambda L, t: t.clamp_max_(L.tensor(1.0)),
    "scatter_value": lambda L, t: t.scatter_(1, L.tensor([[0], [1], [3]]), 1.0),
    "scatter_src": lambda L, t: t.scatter_(0, L.tensor([[2, 0, 1, 1]]), L.tensor([[7.0, 8.0, 9.0, 6.0, 5.0]])),
    "scatter_reduce_add": lambda L, t: t.scatter_(1, L.tensor([[0, 0], [1, 1], [3, 2]]), 2.0, reduce="add"),
    "scatter_reduce_mul": lambda L, t: t.scatter_(1, L.tensor([[0, 0], [1, 1], [3, 2]]), L.full((3, 2), 3.0),
                                                  reduce="multiply"),
    "scatter_add_": lambda L, t: t.scatter_add_(1, L.tensor([[0, 0], [1, 1], [3, 2]]), L.ones(3, 2)),
    "index_add_": lambda L, t: t.index_add_(1, L.tensor([0, 3, 0]), L.ones(3, 3), alpha=2),
    "index_fill_": lambda L, t: t.index_fill_(1, L.tensor([0, 2]), -1.0),
    "index_fill_tensor": lambda L, t: t.index_fill_(0, L.tensor([1]), L.tensor(4.0)),
    "scatter_fn": lambda L, t: L.scatter(t, 1, L.tensor([[0], [1], [3]]), 1.0),
    "scatter_add_fn": lambda L, t: L.scatter_add(t, 0, L.tensor([[0, 0, 0, 0]]), t),
    "index_add_fn": lambda L, t: L.index_add(t, 0, L.tensor([2, 2]), t[:2]),
    "index_fill_fn": lambda L, t: t.index_fill(0, L.tensor([0, 2]), 9.0),
    "int_relu_": lambda L, t: t.long().relu_(),
    "int_abs_": lambda L, t: t.long().abs_(),
    "int_scatter_add_": lambda L, t: t.long().scatter_add_(1, L.tensor([[0], [0], [0]]), L.tensor([[1], [2], [3]])),
}


@pytest.mark.filterwarnings("ignore:divide by zero")  # log_ of the 0 in X: -inf, as in torch
@pytest.mark.filterwarnings("ignore:The reduce argument of torch.scatter")  # torch's own deprecation notice
@pytest.mark.parametrize("name", sorted(INPLACE_VALUES))
def test_inplace_methods_against_torch(name):
    """Same values as torch (rtol 1e-6: the exp/sigmoid/tanh kernels may differ in the last bit), and the
    result is the tensor itself for the in-place methods."""
    torch = pytest.importorskip("torch")
    r_in, t_in = rp.tensor(X), torch.tensor(X)
    r, t = INPLACE_VALUES[name](rp, r_in), INPLACE_VALUES[name](torch, t_in)
    assert tuple(r.shape) == tuple(t.shape) and "torch." + str(r.dtype) == str(t.dtype)
    np.testing.assert_allclose(r.numpy(), t.numpy(), rtol=1e-6)
    np.testing.assert_allclose(r_in.numpy(), t_in.numpy(), rtol=1e-6)
    if name.endswith("_") and not name.startswith("int"):
        assert r is r_in


INPLACE_ERRORS = {
    "exp_int": (lambda L: L.tensor([1, 2]).exp_(), RuntimeError),
    "scatter_float_index": (lambda L: L.zeros(2, 2).scatter_(1, L.tensor([[0.0]]), 1.0), RuntimeError),
    "scatter_index_rank": (lambda L: L.zeros(2, 2).scatter_(1, L.tensor([0]), 1.0), RuntimeError),
    "scatter_out_of_range": (lambda L: L.zeros(2, 2).scatter_(1, L.tensor([[5]]), 1.0), RuntimeError),
    "scatter_bad_reduce": (lambda L: L.zeros(2, 2).scatter_(1, L.tensor([[0]]), 1.0, reduce="max"), RuntimeError),
    "index_add_shape": (lambda L: L.zeros(2, 2).index_add_(0, L.tensor([0]), L.ones(2, 2)), RuntimeError),
    "index_fill_2d_index": (lambda L: L.zeros(2, 2).index_fill_(0, L.tensor([[0]]), 1.0), RuntimeError),
    "index_add_float_index": (lambda L: L.zeros(2, 2).index_add_(0, L.tensor([0.0]), L.ones(1, 2)), RuntimeError),
    "index_fill_vector_value": (lambda L: L.zeros(2, 2).index_fill_(0, L.tensor([0]), L.ones(2)), RuntimeError),
}


@pytest.mark.parametrize("name", sorted(INPLACE_ERRORS))
def test_inplace_errors_as_torch(name):
    fn, exc = INPLACE_ERRORS[name]
    with pytest.raises(exc):
        fn(rp)
    torch = pytest.importorskip("torch")
    with pytest.raises(exc):
        fn(torch)


INPLACE_GRAD = {
    "relu_": (lambda L, a: (a * 1).relu_(), [(3, 4)]),
    "sigmoid_": (lambda L, a: (a * 2).sigmoid_(), [(3, 4)]),
    "tanh_": (lambda L, a: (a + 1).tanh_(), [(3, 4)]),
    # torch refuses log_ right after sqrt_ (sqrt saved its output); retroprop allows it (its rebase saves a copy).
    "abs_exp_sqrt_log_": (lambda L, a: ((a * 1).abs_().exp_() * 1).sqrt_().mul(1).log_(), [(3, 4)]),
    "clamp_min_max_": (lambda L, a: (a * 1).clamp_min_(-0.5).clamp_max_(0.9), [(3, 4)]),
    # src the index's shape: for a larger src torch's own backward fails ("invalid gradient ... [1, 4]").
    "scatter_src": (lambda L, a, b: (a * 1).scatter_(0, L.tensor([[2, 0, 1, 1]]), b), [(3, 4), (1, 4)]),
    "scatter_value": (lambda L, a: L.scatter(a, 1, L.tensor([[0], [1], [3]]), 0.5), [(3, 4)]),
    "scatter_add": (lambda L, a, b: L.scatter_add(a, 1, L.tensor([[0, 0], [1, 3], [2, 2]]), b), [(3, 4), (3, 2)]),
    "scatter_add_": (lambda L, a, b: (a * 1).scatter_add_(0, L.tensor([[0, 1], [0, 0]]), b), [(3, 4), (2, 2)]),
    "index_add": (lambda L, a, b: L.index_add(a, 1, L.tensor([0, 3, 0]), b, alpha=-2), [(3, 4), (3, 3)]),
    "index_add_": (lambda L, a, b: (a * 1).index_add_(0, L.tensor([2, 2]), b), [(3, 4), (2, 4)]),
    "index_fill": (lambda L, a: a.index_fill(1, L.tensor([0, 2]), -1.0), [(3, 4)]),
    "index_fill_tensor_": (lambda L, a, v: (a * 1).index_fill_(0, L.tensor([1]), v.sum()), [(3, 4), (2,)]),
}


def test_scatter_gradient_with_a_larger_src():
    """Only the index's region of src is read, so only it gets a gradient (torch's backward errors here)."""
    a = rp.zeros(3, 4, dtype=rp.float64, requires_grad=True)
    src = rp.tensor(np.arange(10.0).reshape(2, 5), requires_grad=True)
    assert rp.autograd.gradcheck(lambda a, s: rp.scatter(a, 0, rp.tensor([[2, 0, 1, 1]]), s), [a, src])
    rp.scatter_add(a, 0, rp.tensor([[2, 0, 1, 1]]), src).sum().backward()
    assert src.grad.tolist() == [[1.0, 1.0, 1.0, 1.0, 0.0], [0.0] * 5]


@pytest.mark.parametrize("name", sorted(INPLACE_GRAD))
def test_inplace_on_non_leaf_differentiable(check, name):
    """In place on a non-leaf is recorded (torch's rebase): gradients as torch's."""
    fn, shapes = INPLACE_GRAD[name]
    check(fn, shapes, "nonzero")
