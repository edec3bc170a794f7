"""torch.compile: retroprop has no graph compiler to hand a model to. Its eager path is the fast
path (a Sequential of Linear layers already runs as one recorded operation with one C++ call per
direction), so compile returns what it is given, and the results are those of the eager model,
which is torch.compile's contract."""


def compile(model=None, *, fullgraph=False, dynamic=None, backend="inductor", mode=None, options=None, disable=False):
    """`model` itself (a module or a function); with no model, a decorator doing the same."""
    if mode is not None and options is not None:
        raise RuntimeError("Either mode or options can be specified, but both can't be specified at the same time.")
    if model is None:
        def decorate(fn):
            return compile(fn, fullgraph=fullgraph, dynamic=dynamic, backend=backend, mode=mode, options=options,
                           disable=disable)

        return decorate
    if not callable(model):
        raise AssertionError(f"compile: a callable function is expected, but {type(model)} is provided")  # as torch
    return model
