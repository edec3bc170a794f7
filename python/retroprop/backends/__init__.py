"""retroprop.backends: torch.backends' modules, answering for retroprop's one backend (its C++
CPU core). CUDA, cuDNN, MPS, MKL and oneDNN are reported unavailable; their switches keep torch's
defaults and hold what a script sets, without changing retroprop's numerics."""
from . import cpu, cuda, cudnn, mkl, mkldnn, mps, openmp

__all__ = ["cpu", "cuda", "cudnn", "mkl", "mkldnn", "mps", "openmp"]
