"""Every differentiable operation: float64 gradcheck and float32 values/gradients against torch
(see conftest.check_op for the method and tolerances)."""
import pytest

S = (3, 4)
UNARY_SHAPES = [[()], [(5,)], [S], [(2, 3, 4)]]
# Broadcasting edge cases: equal, trailing, both sides, 0-d, size-1 dims, rank differences.
BINARY_SHAPES = [[S, S], [S, (4,)], [(3, 1), (1, 4)], [(), S], [S, ()], [(), ()], [(2, 1, 3), (4, 1)], [(1,), (5,)]]

UNARY = {
    "neg": (lambda L, a: -a, "any"),
    "neg_fn": (lambda L, a: L.neg(a), "any"),
    "exp": (lambda L, a: L.exp(a), "any"),
    "exp_method": (lambda L, a: a.exp(), "any"),
    "log": (lambda L, a: L.log(a), "pos"),
    "sqrt": (lambda L, a: a.sqrt(), "pos"),
    "abs": (lambda L, a: L.abs(a), "nonzero"),
    "abs_op": (lambda L, a: abs(a), "nonzero"),
    "sin": (lambda L, a: L.sin(a), "any"),
    "cos": (lambda L, a: a.cos(), "any"),
    "square": (lambda L, a: L.square(a), "any"),
    "reciprocal": (lambda L, a: a.reciprocal(), "nonzero"),
    "rsqrt": (lambda L, a: L.rsqrt(a), "pos"),
    "log1p": (lambda L, a: L.log1p(a), "pos"),
    "expm1": (lambda L, a: L.expm1(a), "any"),
    "clamp": (lambda L, a: L.clamp(a, min=-0.5, max=0.7), "any"),
    "clamp_min_method": (lambda L, a: a.clamp(min=0.1), "any"),
    "clamp_max": (lambda L, a: a.clamp(max=0.3), "any"),
    "clip": (lambda L, a: L.clip(a, -1, 1), "any"),
    "sign": (lambda L, a: L.sign(a) * a, "nonzero"),
    "floor": (lambda L, a: a.floor() + a, "any"),
    "round": (lambda L, a: L.round(a) + a, "any"),
    "pow_2": (lambda L, a: a ** 2, "any"),
    "pow_3": (lambda L, a: L.pow(a, 3), "any"),
    "pow_half": (lambda L, a: a.pow(0.5), "pos"),
    "pow_neg": (lambda L, a: a ** -1.5, "pos"),
    "rpow": (lambda L, a: 2 ** a, "any"),
    "add_scalar": (lambda L, a: a + 2, "any"),
    "radd_scalar": (lambda L, a: 2.5 + a, "any"),
    "rsub_scalar": (lambda L, a: 1 - a, "any"),
    "mul_scalar": (lambda L, a: a * 1.5, "any"),
    "div_scalar": (lambda L, a: a / 3, "any"),
    "rdiv_scalar": (lambda L, a: 3 / a, "nonzero"),
    "clone": (lambda L, a: a.clone() * 2, "any"),
    "contiguous": (lambda L, a: a.contiguous() * 2, "any"),
    "to_double": (lambda L, a: a.double() * 2, "any"),
    "sum": (lambda L, a: a.sum(), "any"),
    "mean": (lambda L, a: L.mean(a), "any"),
    "max_all": (lambda L, a: a.max(), "any"),
    "min_all": (lambda L, a: L.min(a), "any"),
    "norm": (lambda L, a: a.norm(), "nonzero"),
    "norm_fn": (lambda L, a: L.norm(a), "nonzero"),
    "prod": (lambda L, a: a.prod(), "nonzero"),
    "flatten": (lambda L, a: L.flatten(a) * 2, "any"),
    "view_-1": (lambda L, a: a.view(-1) * 2, "any"),
    "reshape_-1": (lambda L, a: a.reshape(-1, 1) * 2, "any"),
    "unsqueeze": (lambda L, a: a.unsqueeze(0) * 2, "any"),
    "unsqueeze_last": (lambda L, a: L.unsqueeze(a, -1) * 2, "any"),
    "squeeze": (lambda L, a: a.unsqueeze(0).squeeze() * 2, "any"),
    "T": (lambda L, a: a.T * 2, "any"),
}


@pytest.mark.parametrize("shapes", UNARY_SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(UNARY))
def test_unary(check, name, shapes):
    fn, domain = UNARY[name]
    check(fn, shapes, domain)


BINARY = {
    "add": (lambda L, a, b: a + b, "any"),
    "add_fn_alpha": (lambda L, a, b: L.add(a, b, alpha=2), "any"),
    "sub": (lambda L, a, b: a - b, "any"),
    "sub_method": (lambda L, a, b: a.sub(b), "any"),
    "mul": (lambda L, a, b: a * b, "any"),
    "mul_fn": (lambda L, a, b: L.mul(a, b), "any"),
    "div": (lambda L, a, b: a / b, ("any", "nonzero")),
    "div_fn": (lambda L, a, b: L.div(a, b), ("any", "nonzero")),
    "pow": (lambda L, a, b: a ** b, ("pos", "any")),
    "pow_fn": (lambda L, a, b: L.pow(a, b), ("pos", "any")),
    "maximum": (lambda L, a, b: L.maximum(a, b), "any"),
    "minimum": (lambda L, a, b: L.minimum(a, b), "any"),
    "max_binary": (lambda L, a, b: L.max(a, b), "any"),
    "where": (lambda L, a, b: L.where(a > 0, a, b), "nonzero"),
    "clamp_tensor_bounds": (lambda L, a, b: L.clamp(a, min=b, max=b + 1), "any"),
}


@pytest.mark.parametrize("shapes", BINARY_SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(BINARY))
def test_binary_broadcasting(check, name, shapes):
    fn, domain = BINARY[name]
    check(fn, shapes, domain)


MATMUL_SHAPES = [[(3, 4), (4, 5)], [(4,), (4, 5)], [(3, 4), (4,)], [(4,), (4,)], [(2, 3, 4), (4, 5)],
                 [(2, 3, 4), (2, 4, 5)], [(1, 3, 4), (2, 4, 2)], [(3, 4), (2, 4, 2)], [(1, 1), (1, 1)]]


@pytest.mark.parametrize("shapes", MATMUL_SHAPES, ids=str)
def test_matmul(check, shapes):
    check(lambda L, a, b: a @ b, shapes)
    check(lambda L, a, b: L.matmul(a, b), shapes)


def test_mm_bmm_t(check):
    check(lambda L, a, b: L.mm(a, b), [(3, 4), (4, 2)])
    check(lambda L, a, b: a.mm(b.t()), [(3, 4), (2, 4)])
    check(lambda L, a, b: L.bmm(a, b), [(2, 3, 4), (2, 4, 5)])


REDUCE = {
    "sum_dim": lambda L, a: a.sum(1),
    "sum_dims_keep": lambda L, a: L.sum(a, (0, 2), keepdim=True),
    "sum_neg": lambda L, a: a.sum(dim=-1),
    "mean_dim": lambda L, a: a.mean(0),
    "mean_keep": lambda L, a: L.mean(a, dim=(1, 2), keepdim=True),
    "max_dim": lambda L, a: a.max(1),
    "max_dim_keep": lambda L, a: L.max(a, dim=-1, keepdim=True),
    "min_dim": lambda L, a: L.min(a, 0),
    "amax": lambda L, a: L.amax(a, 1),
    "var": lambda L, a: a.var(),
    "var_dim": lambda L, a: L.var(a, 1),
    "var_biased": lambda L, a: a.var(1, unbiased=False),
    "var_correction": lambda L, a: L.var(a, dim=2, correction=0, keepdim=True),
    "std": lambda L, a: a.std(),
    "std_dim": lambda L, a: L.std(a, dim=0),
    "norm_dim": lambda L, a: a.norm(dim=1),
    "norm_1": lambda L, a: L.norm(a, p=1, dim=-1),
    "norm_3": lambda L, a: a.norm(p=3, dim=(0, 1)),
    "norm_inf": lambda L, a: L.norm(a, p=float("inf"), dim=2),
    "prod_dim": lambda L, a: a.prod(1),
    "logsumexp": lambda L, a: L.logsumexp(a, 1),
    "cumsum": lambda L, a: L.cumsum(a, 1),
}


@pytest.mark.parametrize("name", sorted(REDUCE))
def test_reductions(check, name):
    check(REDUCE[name], [(2, 3, 4)], "nonzero")


SHAPE = {
    "reshape": lambda L, a: a.reshape(4, 6),
    "reshape_tuple": lambda L, a: L.reshape(a, (6, -1)),
    "view": lambda L, a: a.view(2, -1),
    "flatten_1": lambda L, a: a.flatten(1),
    "flatten_mid": lambda L, a: L.flatten(a, 0, 1),
    "transpose": lambda L, a: a.transpose(0, 2),
    "transpose_fn": lambda L, a: L.transpose(a, -1, 1),
    "permute": lambda L, a: a.permute(2, 0, 1),
    "permute_tuple": lambda L, a: L.permute(a, (1, 2, 0)),
    "expand": lambda L, a: a[:, :1].expand(2, 5, 4),
    "expand_new_dim": lambda L, a: a[0].expand(3, -1, -1),
    "repeat": lambda L, a: a.repeat(1, 2, 1),
    "flip": lambda L, a: a.flip(1),
    "cat": lambda L, a: L.cat([a, a * 2], dim=1),
    "cat_neg": lambda L, a: L.cat((a, a[:, :1]), -2),
    "stack": lambda L, a: L.stack([a, a + 1], 1),
    "split": lambda L, a: a.split(2, dim=2),
    "split_sizes": lambda L, a: L.split(a, [1, 2], 1),
    "chunk": lambda L, a: a.chunk(2, 2),
    "unbind": lambda L, a: a.unbind(1),
    "narrow": lambda L, a: a.narrow(2, 1, 2),
    "index_int": lambda L, a: a[1],
    "index_slice": lambda L, a: a[:, 1:3, ::2],
    "index_neg_step_free": lambda L, a: a[..., -1],
    "index_none": lambda L, a: a[None, 0, ..., None],
    "index_list_repeated": lambda L, a: a[[0, 1, 0]],
    "index_tensor": lambda L, a: a[L.tensor([1, 0, 1]), 1:],
    "index_2d_arrays": lambda L, a: a[L.tensor([0, 1]), L.tensor([2, 2])],
    "index_mask": lambda L, a: a[a > 0],
    "index_mask_row": lambda L, a: a[:, L.tensor([True, False, True])],
    "iter": lambda L, a: L.stack([r * (i + 1) for i, r in enumerate(a)]),
    "gather": lambda L, a: L.gather(a, 2, L.tensor([[[0, 0], [1, 3], [2, 2]], [[3, 3], [0, 1], [1, 1]]])),
    "index_select": lambda L, a: a.index_select(1, L.tensor([2, 0, 2])),
    "masked_fill": lambda L, a: a.masked_fill(a > 0.5, 0.0),
    "where_scalar": lambda L, a: L.where(a > 0, a, 0.0),
    "sort": lambda L, a: L.sort(a, 1),
    "sort_desc": lambda L, a: a.sort(dim=-1, descending=True),
    "topk": lambda L, a: L.topk(a, 2, dim=1),
    "topk_smallest": lambda L, a: a.topk(3, largest=False),
    "tril": lambda L, a: L.tril(a),
    "triu_offset": lambda L, a: a.triu(1),
    "outer": lambda L, a: L.outer(a[0, 0], a[1, 1]),
}


@pytest.mark.parametrize("name", sorted(SHAPE))
def test_shape_and_indexing(check, name):
    check(SHAPE[name], [(2, 3, 4)], "nonzero")


def test_setitem_differentiable(check):
    def fn(L, a, b):
        c = a * 1
        c[0] = b
        c[1, :2] = b[:2] * 3
        return c
    check(fn, [(3, 4), (4,)])


def test_inplace_on_non_leaf_is_recorded(check):
    def fn(L, a, b):
        c = a * 2
        c.add_(b)
        c.mul_(b)
        c -= 1
        c /= 2
        return c
    check(fn, [(3, 4), (3, 4)], ("any", "nonzero"))
