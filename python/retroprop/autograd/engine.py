"""The reverse-mode engine: graph nodes recorded by operations, and the backward pass.

An operation that needs a gradient wraps its output with `record(...)`, giving a `Node` that
holds the parents and a `backward(grad) -> tuple` closure with what it saved. `run_backward`
orders the nodes topologically and walks them in reverse, accumulating into leaves' `.grad`.
A backward closure may also accumulate straight into a leaf's `.grad` (e.g. a GEMM with
beta = 1) and return None for that input; the engine then leaves that input alone.
"""
import numpy as np

from .. import _alloc
from .grad_mode import _state as _grad_mode


class Node:
    """One recorded operation: the inputs it reads and the function that sends gradients back."""

    __slots__ = ("name", "backward", "parents", "saved", "versions", "fuse")

    def __init__(self, name, backward, parents, saved=()):
        self.fuse = None  # set by an operation a following one may fold into (Linear -> activation)
        self.name = name
        self.backward = backward
        self.parents = parents
        # Tensors the backward reads, with their version now: modifying one in place
        # before backward would make the gradient wrong, so backward checks it.
        self.saved = saved
        self.versions = tuple([t._vc[0] for t in saved]) if saved else ()

    def __repr__(self):
        return f"<{self.name} object>"

    def check_saved(self):
        if not self.saved:
            return
        for t, v in zip(self.saved, self.versions):
            if t._vc[0] != v:  # t._version without the property call (every saved tensor, every step)
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [{t.dtype} {list(t.shape)}] is at version {t._version}; expected version {v} "
                    f"instead (saved by {self.name})"
                )


def record(out, parents, backward, name, saved=()):
    """Mark `out` as produced by an operation over `parents` (Tensors) when a gradient is needed."""
    for p in parents:
        if p.requires_grad:
            if _grad_mode.enabled:
                out.requires_grad = True
                out._node = Node(name, backward, parents, saved)
            break
    return out


def _execution_order(roots):
    """Nodes reachable from `roots`, each before the nodes of its inputs: reversed post-order of
    an iterative depth-first search (no recursion, so deep graphs are fine)."""
    order, seen = [], set()
    for root in roots:
        n = root._node
        if n is None or n in seen:
            continue
        seen.add(n)
        stack = [(n, iter(n.parents))]
        while stack:
            node, inputs = stack[-1]
            for p in inputs:
                pn = p._node
                if pn is not None and pn not in seen:
                    seen.add(pn)
                    stack.append((pn, iter(pn.parents)))
                    break
            else:
                stack.pop()
                order.append(node)
    order.reverse()
    return order


def accumulate_leaf(t, g):
    """Add gradient array `g` into leaf tensor `t`'s `.grad` (a fresh copy the first time)."""
    if g.shape != t._data.shape:
        g = np.broadcast_to(g, t._data.shape)
    if t._grad is None:
        buf = _alloc.empty(t._data.shape, t._data.dtype)  # a pooled buffer: reused once zero_grad drops it
        np.copyto(buf, g, casting="unsafe")
        t._grad = _Tensor._wrap(buf)
    else:
        t._grad._data += g
        t._grad._version += 1


_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)


_leaf_writes = [True]


def accumulate_into_leaves():
    """Whether a backward may write straight into leaves' .grad (False while autograd.grad or
    backward(inputs=...) runs: then gradients must come back through the engine)."""
    return _leaf_writes[-1]


def run_backward(roots, grads, retain_graph=False, inputs=None, only=None):
    """Backpropagate `grads` (NumPy arrays) from `roots` (Tensors).

    With `inputs` (a list of Tensors), gradients are returned for those instead of being
    accumulated into leaves (torch.autograd.grad). With `only` (a list of leaves), gradients
    accumulate into those leaves alone (backward(inputs=...)).
    """
    for t in roots:
        if not t.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    order = _execution_order(roots)
    if inputs is None and only is None:
        return _backward_into_leaves(order, roots, grads, retain_graph)
    node_grads = {}
    wanted = {id(t): i for i, t in enumerate(inputs)} if inputs is not None else None
    results = [None] * len(inputs) if inputs is not None else None
    only = None if only is None else {id(t) for t in ((only,) if isinstance(only, _Tensor) else only)}

    def send(t, g):
        if g.dtype != t._data.dtype and t._data.dtype.kind == "f":
            g = g.astype(t._data.dtype)  # a gradient has its tensor's dtype (after type promotion)
        if wanted is not None and id(t) in wanted:
            i = wanted[id(t)]
            results[i] = g if results[i] is None else results[i] + g
            if t._node is None:
                return
        node = t._node
        if node is not None:
            prev = node_grads.get(node)
            node_grads[node] = g if prev is None else prev + g
            if t._retain and wanted is None:
                accumulate_leaf(t, g)
        elif t.requires_grad and wanted is None and (only is None or id(t) in only):
            accumulate_leaf(t, g)

    for t, g in zip(roots, grads):
        send(t, g)
    _leaf_writes.append(False)
    try:
        _walk(order, node_grads, retain_graph, wanted, send)
    finally:
        _leaf_writes.pop()
    return results


def _backward_into_leaves(order, roots, grads, retain_graph):
    """The common case (loss.backward()): the general walk below with its routing inlined."""
    node_grads = {}
    for t, g in zip(roots, grads):
        if t._node is None:
            accumulate_leaf(t, g)
        else:
            node_grads[t._node] = g
            if t._retain:
                accumulate_leaf(t, g)
    for node in order:
        g = node_grads.pop(node, None)
        if g is None:
            continue
        backward = node.backward
        if backward is None:
            raise RuntimeError(_FREED)
        if node.saved:
            node.check_saved()
        parent_grads = backward(g)
        if not retain_graph:
            node.backward = None
            node.saved = ()
        for p, pg in zip(node.parents, parent_grads):
            if pg is None or not p.requires_grad:
                continue
            dtype = p._data.dtype
            if pg.dtype != dtype and dtype.kind == "f":
                pg = pg.astype(dtype)  # a gradient has its tensor's dtype (after type promotion)
            pn = p._node
            if pn is None:
                accumulate_leaf(p, pg)
                continue
            prev = node_grads.get(pn)
            node_grads[pn] = pg if prev is None else prev + pg
            if p._retain:
                accumulate_leaf(p, pg)


def _walk(order, node_grads, retain_graph, wanted, send):
    """Call each node's backward in order, sending the gradients it returns to its inputs."""
    for node in order:
        g = node_grads.pop(node, None)
        if g is None:
            continue
        if node.backward is None:
            raise RuntimeError(_FREED)
        node.check_saved()
        parent_grads = node.backward(g)
        if not retain_graph:
            node.backward = None
            node.saved = ()
        for p, pg in zip(node.parents, parent_grads):
            if pg is not None and (p.requires_grad or (wanted is not None and id(p) in wanted)):
                send(p, pg)


from .._tensor import Tensor as _Tensor  # noqa: E402  (the Tensor module imports this one)
