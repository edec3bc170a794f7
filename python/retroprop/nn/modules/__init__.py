"""The Module classes of retroprop.nn, one file per concern."""
from .activation import GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, SiLU, Softmax, Tanh
from .activation import (CELU, ELU, SELU, Hardsigmoid, Hardswish, Hardtanh, LogSigmoid, Mish, PReLU, ReLU6, Softmin,
                         Softplus, Softsign)
from .distance import CosineSimilarity, PairwiseDistance
from .container import ModuleDict, ModuleList, ParameterDict, ParameterList, Sequential
from .dropout import AlphaDropout, Dropout, Dropout1d
from .flatten import Flatten, Unflatten
from .linear import Identity, Linear
from .loss import (BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, HuberLoss, L1Loss, MSELoss, NLLLoss,
                   SmoothL1Loss)
from .module import Module
from .batchnorm import BatchNorm1d
from .normalization import GroupNorm, LayerNorm, RMSNorm
from .sparse import Embedding

__all__ = [
    "BCELoss", "BCEWithLogitsLoss", "BatchNorm1d", "CrossEntropyLoss", "Dropout", "Embedding", "Flatten", "GELU",
    "HuberLoss", "Identity", "L1Loss", "LayerNorm", "LeakyReLU", "Linear", "LogSoftmax", "MSELoss", "Module",
    "ModuleDict", "ModuleList", "NLLLoss", "ParameterDict", "ParameterList", "ReLU", "Sequential", "SiLU",
    "Sigmoid", "SmoothL1Loss", "Softmax", "Tanh", "Unflatten",
]
__all__ += [
    "AlphaDropout", "CELU", "CosineSimilarity", "Dropout1d", "ELU", "Hardsigmoid", "Hardswish", "Hardtanh",
    "LogSigmoid", "Mish", "PReLU", "PairwiseDistance", "ReLU6", "SELU", "Softmin", "Softplus", "Softsign",
    "GroupNorm", "RMSNorm",
]
from .loss import KLDivLoss  # noqa: E402
__all__ += ["KLDivLoss"]
