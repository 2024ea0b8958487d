"""Flax NNX networks that expose their hidden activations; stochastic encoders and the
learned densities of information-bottleneck objectives."""

from infojax.models._mlp import ACTIVATIONS
from infojax.models._mlp import MLP
from infojax.models._mlp import get_activation
from infojax.models._noisy_centres import noisy_layer_centres
from infojax.models._stochastic import ClassConditionalGaussian
from infojax.models._stochastic import GaussianEncoder
from infojax.models._stochastic import GaussianMixturePrior
from infojax.models._stochastic import NoisyEncoder

__all__ = [
    "ACTIVATIONS",
    "MLP",
    "ClassConditionalGaussian",
    "GaussianEncoder",
    "GaussianMixturePrior",
    "NoisyEncoder",
    "get_activation",
    "noisy_layer_centres",
]
