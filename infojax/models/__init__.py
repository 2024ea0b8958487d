"""Flax NNX networks that expose their hidden activations."""

from infojax.models._mlp import ACTIVATIONS
from infojax.models._mlp import MLP

__all__ = [
    "ACTIVATIONS",
    "MLP",
]
