"""BatchNorm1d: per-channel normalisation over the batch, with running statistics for eval.

Laid out as torch's torch/nn/modules/batchnorm.py (`_NormBase`, `_BatchNorm`, `BatchNorm1d`), so
code that tests `isinstance(m, nn.modules.batchnorm._BatchNorm)` (e.g. to exempt norm layers from
weight decay) works unchanged.
"""
import numpy as np

from ..._tensor import Tensor
from .. import functional as F
from .. import init
from .linear import new_parameter
from .module import Module


class _NormBase(Module):
    """Per-channel affine parameters (weight 1, bias 0) and running statistics buffers."""

    def __init__(self, num_features, eps=1e-5, momentum=0.1, affine=True, track_running_stats=True,
                 device=None, dtype=None):
        super().__init__()
        self.num_features = num_features
        self.eps = eps
        self.momentum = momentum
        self.affine = affine
        self.track_running_stats = track_running_stats
        if affine:
            self.weight = new_parameter((num_features,), device, dtype)
            self.bias = new_parameter((num_features,), device, dtype)
        else:
            self.register_parameter("weight", None)
            self.register_parameter("bias", None)
        if track_running_stats:
            dt = self.weight.dtype if affine else new_parameter((0,), device, dtype).dtype
            self.register_buffer("running_mean", Tensor._wrap(np.zeros(num_features, dtype=dt)))
            self.register_buffer("running_var", Tensor._wrap(np.ones(num_features, dtype=dt)))
            self.register_buffer("num_batches_tracked", Tensor._wrap(np.array(0, dtype=np.int64)))
        else:
            self.register_buffer("running_mean", None)
            self.register_buffer("running_var", None)
            self.register_buffer("num_batches_tracked", None)
        self.reset_parameters()

    def reset_running_stats(self):
        if self.track_running_stats:
            for buf, value in ((self.running_mean, 0), (self.running_var, 1), (self.num_batches_tracked, 0)):
                buf._data[...] = value
                buf._version += 1

    def reset_parameters(self):
        self.reset_running_stats()
        if self.affine:
            init.ones_(self.weight)
            init.zeros_(self.bias)

    def _check_input_dim(self, input):
        raise NotImplementedError(f"{type(self).__name__} must define _check_input_dim")

    def extra_repr(self):
        return (f"{self.num_features}, eps={self.eps}, momentum={self.momentum}, affine={self.affine}, "
                f"bias={self.bias is not None}, track_running_stats={self.track_running_stats}")


class _BatchNorm(_NormBase):
    """Training uses batch statistics (and updates the running ones); eval uses the running ones."""

    def forward(self, input):
        self._check_input_dim(input)
        factor = 0.0 if self.momentum is None else self.momentum
        if self.training and self.track_running_stats:
            self.num_batches_tracked._data += 1
            self.num_batches_tracked._version += 1
            if self.momentum is None:  # cumulative moving average
                factor = 1.0 / float(self.num_batches_tracked._data)
        if self.training or self.running_mean is None:
            return self._batch_stats_forward(input, factor if self.training and self.track_running_stats else None)
        return self._running_stats_forward(input)

    def _channel_shape(self, input):
        return (self.num_features,) if input.dim() == 2 else (self.num_features, 1)

    def _batch_stats_forward(self, input, factor):
        """Normalise with the batch statistics; move the running ones by `factor` unless it is None.

        Per channel this is layer_norm over the channel's N (x L) values, so the input is laid out
        channel-first, normalised by F.layer_norm (one recorded node), and put back.
        """
        x = input._data
        axes = (0,) if x.ndim == 2 else (0, 2)
        count = x.size // self.num_features
        if count <= 1:
            raise ValueError(f"Expected more than 1 value per channel when training, got input size {list(x.shape)}")
        if factor is not None:
            self._update_running_stats(x.mean(axis=axes), x.var(axis=axes, ddof=1), factor)
        channels_first = input.transpose(0, 1).reshape(self.num_features, count)
        normed = F.layer_norm(channels_first, (count,), None, None, self.eps)
        if x.ndim == 2:
            y = normed.transpose(0, 1)
        else:
            y = normed.reshape(self.num_features, x.shape[0], x.shape[2]).transpose(0, 1)
        return self._affine(y, self._channel_shape(input))

    def _update_running_stats(self, mean, var, factor):
        for buf, stat in ((self.running_mean, mean), (self.running_var, var)):
            buf._data *= 1.0 - factor
            buf._data += factor * stat.astype(buf.dtype)
            buf._version += 1

    def _running_stats_forward(self, input):
        """(x - running_mean) / sqrt(running_var + eps), then the affine map: constants per channel."""
        shape = self._channel_shape(input)
        x = input._data
        inv_std = Tensor._wrap((1.0 / np.sqrt(self.running_var._data + self.eps)).astype(x.dtype).reshape(shape))
        mean = Tensor._wrap(self.running_mean._data.astype(x.dtype).reshape(shape))
        return self._affine((input - mean) * inv_std, shape)

    def _affine(self, y, shape):
        if not self.affine:
            return y
        return y * self.weight.reshape(shape) + self.bias.reshape(shape)


class BatchNorm1d(_BatchNorm):
    """Normalises each channel of (N, C) or (N, C, L) input over the batch (and length).

    In training, batch statistics normalise and the running estimates move towards them
    (running = (1 - momentum) * running + momentum * batch, with the unbiased batch variance;
    momentum=None gives a cumulative average); in eval the running estimates normalise.
    """

    def _check_input_dim(self, input):
        if input.dim() not in (2, 3):
            raise ValueError(f"expected 2D or 3D input (got {input.dim()}D input)")
        if input._data.shape[1] != self.num_features:
            raise ValueError(f"BatchNorm1d: expected {self.num_features} channels in dimension 1, "
                             f"got input of shape {tuple(input.shape)}")
