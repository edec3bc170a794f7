"""Dropout (elements), Dropout1d (whole channels) and AlphaDropout (for SELU networks): active
while training (scaling what is kept so the expectation is unchanged), identity in eval.

`inplace=True` makes Dropout and Dropout1d overwrite the input as torch does (through the
functional's in-place form, with autograd's in-place rules); AlphaDropout, like torch's, shows the
flag but computes out of place.
"""
from .. import functional as F
from .module import Module


class _DropoutNd(Module):
    def __init__(self, p=0.5, inplace=False):
        super().__init__()
        if not 0 <= p <= 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def extra_repr(self):
        return f"p={self.p}, inplace={self.inplace}"


class Dropout(_DropoutNd):
    def forward(self, input):
        return F.dropout(input, self.p, self.training, self.inplace)


class Dropout1d(_DropoutNd):
    def forward(self, input):
        return F.dropout1d(input, self.p, self.training, self.inplace)


class AlphaDropout(_DropoutNd):
    def forward(self, input):
        return F.alpha_dropout(input, self.p, self.training)  # torch's AlphaDropout ignores inplace too
