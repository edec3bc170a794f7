"""torch.backends.mps: Apple's Metal backend, which retroprop neither has nor was built with."""


def is_available():
    return False


def is_built():
    return False
