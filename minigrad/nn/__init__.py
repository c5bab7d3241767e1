"""``minigrad.nn``: modules (layers with parameters), losses, and their functional forms."""
from . import functional, init
from .activation import ELU, GELU, SELU, LeakyReLU, LogSoftmax, SiLU, Softmax, Softplus
from .layers import Dropout, Flatten, Unflatten
from .loss import BCELoss, BCEWithLogitsLoss, HuberLoss, L1Loss, NLLLoss, SmoothL1Loss
from .modules import (CrossEntropyLoss, Identity, Linear, Module, MSELoss, ReLU, Sequential,
                      Sigmoid, Tanh)
from .parameter import Parameter

__all__ = ["Module", "Parameter", "Linear", "Sequential", "ReLU", "Tanh", "Sigmoid", "MSELoss",
           "CrossEntropyLoss", "Identity", "functional", "init", "LeakyReLU", "GELU", "Softplus",
           "ELU", "SELU", "SiLU", "Softmax", "LogSoftmax", "Dropout", "Flatten", "Unflatten",
           "BCELoss", "BCEWithLogitsLoss", "L1Loss", "SmoothL1Loss", "HuberLoss", "NLLLoss"]
