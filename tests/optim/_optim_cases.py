"""Option combinations and shapes shared by the optimizer tests (not a test module)."""
import itertools

# Sizes chosen to hit: single elements, vector tails, several 32 KiB chunks, and the parallel path.
SHAPES = [(1,), (7, 5), (1031,), (40_000,)]


def _combos(**options):
    keys = list(options)
    for values in itertools.product(*options.values()):
        yield dict(zip(keys, values))


def _valid_sgd(kw):
    return not kw["nesterov"] or (kw["momentum"] > 0 and kw["dampening"] == 0)


CASES = (
    [("SGD", kw) for kw in _combos(lr=[0.1], momentum=[0.0, 0.9], dampening=[0.0, 0.3], nesterov=[False, True],
                                   weight_decay=[0.0, 0.1], maximize=[False, True]) if _valid_sgd(kw)]
    + [("Adagrad", kw) for kw in _combos(lr=[0.1], lr_decay=[0.0, 0.05], weight_decay=[0.0, 0.1],
                                         initial_accumulator_value=[0.0, 0.5], maximize=[False, True])]
    + [("RMSprop", kw) for kw in _combos(lr=[0.01], alpha=[0.99, 0.3], weight_decay=[0.0, 0.1], momentum=[0.0, 0.5],
                                         centered=[False, True], maximize=[False, True])]
    + [(name, kw) for name in ("Adam", "AdamW") for kw in _combos(lr=[0.01], betas=[(0.9, 0.999), (0.2, 0.5)],
                                                                   weight_decay=[0.0, 0.1], amsgrad=[False, True],
                                                                   maximize=[False, True])]
)


def case_id(name, kw):
    return name + "-" + "-".join(f"{k}={v}" for k, v in kw.items())
