"""torch.backends.mkl: Intel MKL, which retroprop does not use (its GEMM kernels are its own)."""


def is_available():
    return False
