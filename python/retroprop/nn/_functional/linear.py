"""Linear (optionally fused with its activation) through the C++ GEMM.

Forward: one GEMM, x @ weight.T (weight read in place as a transposed view), bias and activation
applied in the GEMM's epilogue. Backward: dX = dZ W and dW = dZ^T X as GEMMs whose packing of dY
applies the activation derivative (dZ = dY * act'), the dW GEMM also summing dZ's rows into the
bias gradient; they write (beta = 0) or accumulate (beta = 1) straight into the leaves' .grad
buffers instead of making temporaries.
"""
from ... import _alloc, _core
from ..._tensor import Tensor
from ...autograd.engine import record
from ...ops.activation import ACT, from_output
from ...ops.linalg import gemm_operand
from ._common import FLOATS, contiguous, float_tensor, leaf_grad_buffer, same_dtype

_NAMES = {0: "AddmmBackward0", 1: "LinearReluBackward", 2: "LinearLeakyReluBackward", 3: "LinearGeluBackward",
          4: "LinearGeluBackward", 5: "LinearSiluBackward", 6: "LinearTanhBackward", 7: "LinearSigmoidBackward"}


def _check(x, w, b, fn):
    float_tensor(x, fn)
    float_tensor(w, fn, "weight")
    if b is not None:
        float_tensor(b, fn, "bias")
    same_dtype(fn, input=x, weight=w, bias=b)
    if w.ndim != 2 or x.ndim == 0 or x.shape[-1] != w.shape[1]:
        raise ValueError(f"{fn}: input of shape {tuple(x.shape)} and weight of shape {tuple(w.shape)} do not match "
                         f"(expected weight (out_features, {x.shape[-1] if x.ndim else '?'}))")
    if b is not None and b.shape != (w.shape[0],):
        raise ValueError(f"{fn}: bias of shape {tuple(b.shape)} does not match weight of shape {tuple(w.shape)} "
                         f"(expected ({w.shape[0]},))")


def linear_act(x, weight, bias=None, act=0, slope=0.01, fn="linear"):
    """act(x @ weight.T + bias) as one recorded operation (act: a code of ops.activation.ACT)."""
    try:  # the common case checked in one expression; anything else gets the full check
        xd, wd, bd = x._data, weight._data, None if bias is None else bias._data
        dt = xd.dtype
        fast = (xd.ndim == 2 and wd.ndim == 2 and xd.shape[1] == wd.shape[1] and dt is wd.dtype and dt in FLOATS
                and (bd is None or (bd.dtype is dt and bd.shape == (wd.shape[0],) and bd.flags.c_contiguous))
                and xd.flags.c_contiguous and wd.flags.c_contiguous)
    except AttributeError:
        fast = False
    if not fast:
        _check(x, weight, bias, fn)
        xd, wd = x._data, gemm_operand(weight._data)
        bd = None if bias is None else contiguous(bias._data)
    x2 = xd if fast else gemm_operand(xd if xd.ndim == 2 else xd.reshape(-1, xd.shape[-1]))
    out = _alloc.empty((x2.shape[0], wd.shape[0]), xd.dtype)
    keep_output = from_output(act, slope)
    if keep_output:
        _core.gemm(x2, wd.T, out, 1.0, 0.0, bd, act, slope)
        saved = out
    else:  # gelu/silu: the derivative needs the pre-activation z; keep it and apply act after
        saved = _alloc.empty_like(out)
        _core.gemm(x2, wd.T, saved, 1.0, 0.0, bd, 0, slope)
        _core.act_forward(saved, out, act, slope)
    y = Tensor._wrap(out if xd.ndim == 2 else out.reshape(xd.shape[:-1] + (wd.shape[0],)))
    if not (x.requires_grad or weight.requires_grad or (bias is not None and bias.requires_grad)):
        return y
    parents = (x, weight) if bias is None else (x, weight, bias)

    node = record(y, parents, _backward(x, weight, bias, x2, wd, xd.shape, act, slope, saved, keep_output), _NAMES[act],
                  saved=parents)._node
    if not act and node is not None:  # F.relu(fc(x)) & co. can still fold their derivative into this GEMM
        node.fuse = (x, weight, bias, x2, wd, xd.shape)
    return y


def linear_chain(x, layers):
    """act_L(... act_1(x @ W_1.T + b_1) ...) as one recorded operation, for layers (weight, bias,
    act code, slope) whose activations derive from their outputs (ReLU, leaky ReLU, tanh,
    sigmoid, none); None when x or a layer is not the common case (2-D C-contiguous x, C-contiguous
    weights, one float dtype), for the caller to go layer by layer.

    The GEMMs are those of linear_act, layer after layer, and so are the backward's (_grads): the
    same bits. What a chain saves is the Python around them, which a batch-32 step spends as
    much time on as on a GEMM: no Tensor, no graph node and no engine visit per layer, one
    version check for all parameters; and each direction's GEMMs go to C++ as one
    gemm_sequence call, everything checked and allocated first, so no Python runs between
    them with its data just evicted by a GEMM."""
    try:
        xd = x._data
        dt = xd.dtype
        if xd.ndim != 2 or dt not in FLOATS or not xd.flags.c_contiguous:
            return None
        acts, wds, steps = [xd], [], []
        for w, b, act, slope in layers:
            wd = w._data
            if (wd.dtype is not dt or wd.ndim != 2 or wd.shape[1] != acts[-1].shape[1] or not wd.flags.c_contiguous
                    or not from_output(act, slope)):
                return None
            bd = None
            if b is not None:
                bd = b._data
                if bd.dtype is not dt or bd.shape != (wd.shape[0],) or not bd.flags.c_contiguous:
                    return None
            out = _alloc.empty((xd.shape[0], wd.shape[0]), dt)
            steps.append((acts[-1], wd.T, out, 1.0, 0.0, bd, act, slope, None, None, 0, True, None, False))
            acts.append(out)
            wds.append(wd)
    except AttributeError:  # not Tensors: the layer-by-layer path raises the proper error
        return None
    y = Tensor._wrap(acts[-1])
    # Which layer inputs need a gradient (x's own flag, then whether any parameter before them
    # does), and the node's inputs: x, then each layer's weight and bias.
    needs, need, parents = [], x.requires_grad, [x]
    for w, b, _, _ in layers:
        needs.append(need)
        parents.append(w)
        need = need or w.requires_grad
        if b is not None:
            parents.append(b)
            need = need or b.requires_grad
    if need:
        parents = tuple(parents)
        # Recorded before the GEMMs run, while this Python's data is still in cache (after a
        # batch-512 forward these lines took 36-50 us); y's values are not read by recording.
        record(y, parents, _chain_backward(layers, needs, parents, acts, wds), "LinearChainBackward", saved=parents)
    _core.gemm_sequence(steps)  # every layer's GEMM in one call: no Python between them
    return y


def _chain_backward(layers, needs, parents, acts, wds):
    """linear_chain's backward: each layer's products (_grad_products), last layer first, in one
    gemm_sequence call."""

    def backward(g):
        g2 = contiguous(g)
        grads = [None] * len(parents)
        k = len(parents)
        steps = []  # every layer's products, then one gemm_sequence call

        def flush():
            if steps:
                _core.gemm_sequence(steps)
                steps.clear()

        for i in range(len(layers) - 1, -1, -1):
            w, b, act, slope = layers[i]
            g2, dw, db, step = _grad_products(g2, needs[i], w, b, acts[i], wds[i], act, slope, acts[i + 1], True, flush)
            if step is not None:
                steps.append(step)
            if b is not None:
                k -= 1
                grads[k] = db
            k -= 1
            grads[k] = dw
            if g2 is None:  # nothing before this layer needs a gradient
                break
        flush()
        grads[0] = g2
        return tuple(grads)

    return backward


def act_after_linear(a, act, slope, name):
    """act(a) for `a` the output of linear() (its node's `fuse` context): the activation runs as
    its own vectorized pass, but the recorded node goes straight to the Linear's inputs, and its
    backward is the fused one (act' and the bias gradient applied while the GEMMs pack dY), so
    no separate activation backward pass. `a`'s own node still serves any other use of `a`."""
    x, weight, bias, x2, wd, xshape = a._node.fuse
    z = a._data
    out = _alloc.empty_like(z)
    _core.act_forward(z, out, act, slope)
    y = Tensor._wrap(out)
    keep_output = from_output(act, slope)
    saved = (out if keep_output else z).reshape(-1, wd.shape[0])
    parents = (x, weight) if bias is None else (x, weight, bias)
    return record(y, parents, _backward(x, weight, bias, x2, wd, xshape, act, slope, saved, keep_output), name,
                  saved=parents + ((y,) if keep_output else (a,)))


def _backward(x, weight, bias, x2, wd, xshape, act, slope, saved, keep_output):
    """The backward of act(x2 @ wd.T + b): dX and dW GEMMs whose packing of dY applies act'
    (saved: the output when keep_output, else the pre-activation, 2-D)."""

    def backward(g):
        g2 = contiguous(g if g.ndim == 2 else g.reshape(-1, g.shape[-1]))
        dx, dw, db = _grads(g2, x.requires_grad, weight, bias, x2, wd, act, slope, saved, keep_output)
        if dx is not None and len(xshape) != 2:
            dx = dx.reshape(xshape)
        return (dx, dw) if bias is None else (dx, dw, db)

    return backward


def _grads(g2, need_dx, weight, bias, x2, wd, act, slope, saved, keep_output):
    """(dX, dW, db) of act(x2 @ wd.T + b) for dY = g2 (2-D, C-contiguous); dW and db are None
    when written (or accumulated) straight into the leaves' .grad."""
    dx, dw, db, step = _grad_products(g2, need_dx, weight, bias, x2, wd, act, slope, saved, keep_output)
    if step is not None and len(step) == 2:
        # Independent products: on two threads they run at once, one each (a batch-32 or
        # -128 step 2-3 % faster than each split over both threads in turn; same bits).
        _core.gemm_pair(*step)
    elif step is not None:
        _core.gemm(*step[:8], False, *step[8:])  # (`reference`, a gemm_pair tuple leaves out, is 9th)
    return dx, dw, db


def _grad_products(g2, need_dx, weight, bias, x2, wd, act, slope, saved, keep_output, before_bias_pass=None):
    """_grads' buffers (dX, dW, db, as _grads returns them) and its products, not yet run: None,
    one gemm_pair argument tuple, or two of them (dW's and dX's). A bias gradient without a dW
    product to carry it is computed here, at once, after before_bias_pass() (it reads g2)."""
    db, db_acc, db_ret = None, False, None
    if bias is not None and bias.requires_grad:
        db, db_acc = leaf_grad_buffer(bias)
        if db is None:
            db = db_ret = _alloc.empty(bias._data.shape, g2.dtype)
    dx = dw = None
    # The activation derivative (and, through dW's row sums, the bias gradient) is applied to
    # dY inside each GEMM's packing of it: dZ = dY * act'(.) is never written out. Each GEMM's
    # arguments are a positional tuple (a, b, c, alpha, beta, bias, act, slope, pre, a_saved,
    # a_act, a_from_output, row_sum, row_sum_accumulate): keywords cost pybind11 about 4 us a
    # call, a few percent of a batch-32 step.
    s = saved if act else None
    st = None if s is None else s.T
    wargs = xargs = None
    if weight.requires_grad:
        buf, acc = leaf_grad_buffer(weight)
        if buf is None:
            dw = buf = _alloc.empty(wd.shape, wd.dtype)
        wargs = (g2.T, x2, buf, 1.0, 1.0 if acc else 0.0, None, 0, slope, None, st, act, keep_output, db, db_acc)
    elif db is not None:  # no dW GEMM to carry the bias gradient: one pass of its own
        if before_bias_pass is not None:
            before_bias_pass()
        dz = _alloc.empty_like(g2) if act else None
        _core.act_bias_backward(g2, s, dz, db, act, slope, keep_output, db_acc)
    if need_dx:
        dx = _alloc.empty(x2.shape, x2.dtype)
        xargs = (g2, wd, dx, 1.0, 0.0, None, 0, slope, None, s, act, keep_output, None, False)
    step = (wargs, xargs) if wargs is not None and xargs is not None else wargs if xargs is None else xargs
    return dx, dw, db_ret, step


def linear(input, weight, bias=None):
    """y = input @ weight.T + bias (torch.nn.functional.linear); any number of leading dims."""
    return linear_act(input, weight, bias, 0, 0.01, "linear")


def _linear_act(input, weight, bias=None, act="relu", negative_slope=0.01):
    """act(linear(input, weight, bias)) fused: the activation runs in the GEMM's epilogue and its
    derivative is folded into dY in backward. act: 'relu', 'leaky_relu', 'gelu', 'gelu_tanh',
    'silu', 'tanh', 'sigmoid' or 'none' (for nn.Sequential's Linear + activation pairs)."""
    try:
        code = ACT[act] if isinstance(act, str) else int(act)
    except KeyError:
        raise ValueError(f"_linear_act: unknown activation {act!r} (expected one of {sorted(ACT)})") from None
    return linear_act(input, weight, bias, code, float(negative_slope), "linear")
