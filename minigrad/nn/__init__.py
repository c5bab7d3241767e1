"""``minigrad.nn``: modules (layers with parameters), losses, and their functional forms."""
from . import functional, init
from .modules import (CrossEntropyLoss, Identity, Linear, Module, MSELoss, ReLU, Sequential,
                      Sigmoid, Tanh)
from .parameter import Parameter

__all__ = ["Module", "Parameter", "Linear", "Sequential", "ReLU", "Tanh", "Sigmoid", "MSELoss",
           "CrossEntropyLoss", "Identity", "functional", "init"]
