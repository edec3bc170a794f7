"""Option combinations, shapes and the side-by-side run shared by the optimizer tests (not a
test module)."""
import itertools

import numpy as np

# Sizes chosen to hit: single elements, vector tails, several 32 KiB chunks, and the parallel path.
SHAPES = [(1,), (7, 5), (1031,), (40_000,)]


def combos(**options):
    """Every combination of the options' values, as keyword dicts."""
    keys = list(options)
    return [dict(zip(keys, values)) for values in itertools.product(*options.values())]


def _valid_sgd(kw):
    return not kw["nesterov"] or (kw["momentum"] > 0 and kw["dampening"] == 0)


CASES = (
    [("SGD", kw) for kw in combos(lr=[0.1], momentum=[0.0, 0.9], dampening=[0.0, 0.3], nesterov=[False, True],
                                   weight_decay=[0.0, 0.1], maximize=[False, True]) if _valid_sgd(kw)]
    + [("Adagrad", kw) for kw in combos(lr=[0.1], lr_decay=[0.0, 0.05], weight_decay=[0.0, 0.1],
                                         initial_accumulator_value=[0.0, 0.5], maximize=[False, True])]
    + [("RMSprop", kw) for kw in combos(lr=[0.01], alpha=[0.99, 0.3], weight_decay=[0.0, 0.1], momentum=[0.0, 0.5],
                                         centered=[False, True], maximize=[False, True])]
    + [(name, kw) for name in ("Adam", "AdamW") for kw in combos(lr=[0.01], betas=[(0.9, 0.999), (0.2, 0.5)],
                                                                   weight_decay=[0.0, 0.1], amsgrad=[False, True],
                                                                   maximize=[False, True])]
)


def case_id(name, kw):
    return name + "-" + "-".join(f"{k}={v}" for k, v in kw.items())


def run_both(rp, torch, name, kw, dtype, steps, shapes=SHAPES, seed=0):
    """retroprop's and torch's optimizer `name` stepped side by side on the same parameters and
    gradients (now and then a parameter without one): (ours, theirs, opt, topt)."""
    rng = np.random.default_rng(seed)
    init = [rng.standard_normal(s).astype(dtype) for s in shapes]
    ours = [rp.nn.Parameter(a.copy()) for a in init]
    theirs = [torch.nn.Parameter(torch.from_numpy(a.copy())) for a in init]
    opt = getattr(rp.optim, name)(ours, **kw)
    topt = getattr(torch.optim, name)(theirs, **kw)
    for step in range(steps):
        for i, (p, t) in enumerate(zip(ours, theirs)):
            if step % 7 == 3 and i == 1:  # now and then a parameter without gradient
                p.grad, t.grad = None, None
                continue
            g = rng.standard_normal(shapes[i]).astype(dtype)
            p.grad = rp.from_numpy(g.copy())
            t.grad = torch.from_numpy(g.copy())
        opt.step()
        topt.step()
    return ours, theirs, opt, topt
