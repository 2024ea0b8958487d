"""Flax NNX networks that expose their hidden activations."""

from infojax.models._mlp import ACTIVATIONS
from infojax.models._mlp import MLP
from infojax.models._mlp import get_activation

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "get_activation",
]
