"""The reverse-mode engine: graph nodes recorded by operations, and the backward pass.

An operation that needs a gradient wraps its output with `record(...)`, giving a `Node` that
holds the parents and a `backward(grad) -> tuple` closure with what it saved. `run_backward`
orders the nodes topologically and walks them in reverse, accumulating into leaves' `.grad`.
A backward closure may also accumulate straight into a leaf's `.grad` (e.g. a GEMM with
beta = 1) and return None for that input; the engine then leaves that input alone.
"""
import numpy as np

from .grad_mode import is_grad_enabled


class Node:
    """One recorded operation: the inputs it reads and the function that sends gradients back."""

    __slots__ = ("name", "backward", "parents", "saved", "versions")

    def __init__(self, name, backward, parents, saved=()):
        self.name = name
        self.backward = backward
        self.parents = parents
        # Tensors the backward reads, with their version now: modifying one in place
        # before backward would make the gradient wrong, so backward checks it.
        self.saved = saved
        self.versions = tuple(t._version for t in saved)

    def __repr__(self):
        return f"<{self.name} object>"

    def check_saved(self):
        for t, v in zip(self.saved, self.versions):
            if t._version != v:
                raise RuntimeError(
                    f"one of the variables needed for gradient computation has been modified by an inplace "
                    f"operation: [{t.dtype} {list(t.shape)}] is at version {t._version}; expected version {v} "
                    f"instead (saved by {self.name})"
                )


def record(out, parents, backward, name, saved=()):
    """Mark `out` as produced by an operation over `parents` (Tensors) when a gradient is needed."""
    if is_grad_enabled():
        for p in parents:
            if p.requires_grad:
                out.requires_grad = True
                out._node = Node(name, backward, parents, saved)
                break
    return out


def _execution_order(roots):
    """Nodes reachable from `roots`, each after every node that consumes its output (Kahn)."""
    nodes, stack = {}, [t._node for t in roots if t._node is not None]
    while stack:
        n = stack.pop()
        if id(n) in nodes:
            continue
        nodes[id(n)] = n
        stack.extend(p._node for p in n.parents if p._node is not None)
    consumers = dict.fromkeys(nodes, 0)
    for n in nodes.values():
        for p in n.parents:
            if p._node is not None:
                consumers[id(p._node)] += 1
    ready = [n for k, n in nodes.items() if consumers[k] == 0]
    order = []
    while ready:
        n = ready.pop()
        order.append(n)
        for p in n.parents:
            if p._node is not None:
                k = id(p._node)
                consumers[k] -= 1
                if consumers[k] == 0:
                    ready.append(p._node)
    return order


def accumulate_leaf(t, g):
    """Add gradient array `g` into leaf tensor `t`'s `.grad` (a fresh copy the first time)."""
    if g.shape != t.shape:
        g = np.broadcast_to(g, t.shape)
    if t._grad is None:
        t._grad = _Tensor._wrap(np.array(g, dtype=t.dtype, copy=True))
    else:
        t._grad._data += g
        t._grad._version += 1


_FREED = (
    "Trying to backward through the graph a second time (or directly access saved tensors after they "
    "have already been freed). Saved intermediate values of the graph are freed when you call "
    ".backward() or autograd.grad(). Specify retain_graph=True if you need to backward through the "
    "graph a second time or if you need to access saved tensors after calling backward."
)


def run_backward(roots, grads, retain_graph=False, inputs=None, only=None):
    """Backpropagate `grads` (NumPy arrays) from `roots` (Tensors).

    With `inputs` (a list of Tensors), gradients are returned for those instead of being
    accumulated into leaves (torch.autograd.grad). With `only` (a list of leaves), gradients
    accumulate into those leaves alone (backward(inputs=...)).
    """
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
        if t._node is not None:
            key = id(t._node)
            prev = node_grads.get(key)
            node_grads[key] = g if prev is None else prev + g
            if t._retain and wanted is None:
                accumulate_leaf(t, g)
        elif t.requires_grad and wanted is None and (only is None or id(t) in only):
            accumulate_leaf(t, g)

    for t in roots:
        if not t.requires_grad:
            raise RuntimeError("element 0 of tensors does not require grad and does not have a grad_fn")
    order = _execution_order(roots)
    for t, g in zip(roots, grads):
        send(t, g)
    for node in order:
        g = node_grads.pop(id(node), None)
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
    return results


from .._tensor import Tensor as _Tensor  # noqa: E402  (the Tensor module imports this one)
