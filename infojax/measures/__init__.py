"""Exact information measures of known distributions.

Probability tables (distribution over the last axis), logits, and closed forms for
Gaussians and bounds for Gaussian mixtures; higher-order information of n variables
(dual total correlation, O- and S-information). Nats unless ``base`` is given.
"""

from infojax.measures._gaussian import gaussian_entropy
from infojax.measures._gaussian import gaussian_kl_divergence
from infojax.measures._gaussian import gaussian_mutual_information_from_covariance
from infojax.measures._higher_order import dual_total_correlation
from infojax.measures._higher_order import o_information
from infojax.measures._higher_order import o_information_gradients
from infojax.measures._higher_order import s_information
from infojax.measures._logits import cross_entropy_from_logits
from infojax.measures._logits import entropy_from_logits
from infojax.measures._logits import kl_divergence_from_logits
from infojax.measures._logits import mutual_information_from_logits
from infojax.measures._mixture import MixtureInformationBounds
from infojax.measures._mixture import gaussian_mixture_entropy_bounds
from infojax.measures._mixture import gaussian_mixture_information_bounds
from infojax.measures._mixture_sampled import MixtureInformationEstimate
from infojax.measures._mixture_sampled import gaussian_mixture_information_estimate
from infojax.measures._noisy_network import NoisyNetworkInformation
from infojax.measures._noisy_network import noisy_network_input_information
from infojax.measures._pid import PartialInformation
from infojax.measures._pid import pid
from infojax.measures._tables import conditional_entropy
from infojax.measures._tables import conditional_mutual_information
from infojax.measures._tables import cross_entropy
from infojax.measures._tables import entropy
from infojax.measures._tables import interaction_information
from infojax.measures._tables import joint_entropy
from infojax.measures._tables import js_divergence
from infojax.measures._tables import kl_divergence
from infojax.measures._tables import mutual_information
from infojax.measures._tables import normalized_mutual_information
from infojax.measures._tables import renyi_entropy
from infojax.measures._tables import total_correlation
from infojax.measures._tables import variation_of_information

__all__ = [
    "MixtureInformationBounds",
    "MixtureInformationEstimate",
    "NoisyNetworkInformation",
    "PartialInformation",
    "conditional_entropy",
    "conditional_mutual_information",
    "cross_entropy",
    "cross_entropy_from_logits",
    "dual_total_correlation",
    "entropy",
    "entropy_from_logits",
    "gaussian_entropy",
    "gaussian_kl_divergence",
    "gaussian_mixture_entropy_bounds",
    "gaussian_mixture_information_bounds",
    "gaussian_mixture_information_estimate",
    "gaussian_mutual_information_from_covariance",
    "interaction_information",
    "joint_entropy",
    "js_divergence",
    "kl_divergence",
    "kl_divergence_from_logits",
    "mutual_information",
    "mutual_information_from_logits",
    "noisy_network_input_information",
    "normalized_mutual_information",
    "o_information",
    "o_information_gradients",
    "pid",
    "renyi_entropy",
    "s_information",
    "total_correlation",
    "variation_of_information",
]
