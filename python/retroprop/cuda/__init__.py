"""retroprop.cuda: retroprop has no GPU backend, so CUDA is never available (scripts check this)."""


def is_available():
    return False


def device_count():
    return 0


def manual_seed(seed):
    """No CUDA generator to seed: a no-op, as torch.cuda.manual_seed is without a GPU."""


def manual_seed_all(seed):
    """No CUDA generators to seed: a no-op."""


from . import amp  # noqa: E402  (torch.cuda.amp: deprecated aliases of torch.amp)
