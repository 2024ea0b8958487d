"""infojax: information theory for deep learning, in JAX.

The exact measures are re-exported here (``infojax.entropy``, ...); estimators from
samples, neural bounds, information-bottleneck objectives, statistics, ground-truth
tasks, data, models, training, tracking and the run directory live in their
subpackages. The experiments
(``infojax.runs``) and the command line (``infojax.cli``) are imported on their own:
``import infojax`` loads no plotting, checkpointing or flag library.
"""

from infojax import bayes
from infojax import bounds
from infojax import data
from infojax import estimators
from infojax import io
from infojax import measures
from infojax import models
from infojax import objectives
from infojax import stats
from infojax import tasks
from infojax import tracking
from infojax import training
from infojax.measures import conditional_entropy
from infojax.measures import conditional_mutual_information
from infojax.measures import cross_entropy
from infojax.measures import cross_entropy_from_logits
from infojax.measures import dual_total_correlation
from infojax.measures import entropy
from infojax.measures import entropy_from_logits
from infojax.measures import gaussian_entropy
from infojax.measures import gaussian_kl_divergence
from infojax.measures import gaussian_mixture_entropy_bounds
from infojax.measures import gaussian_mixture_information_bounds
from infojax.measures import gaussian_mixture_information_estimate
from infojax.measures import gaussian_mutual_information_from_covariance
from infojax.measures import interaction_information
from infojax.measures import joint_entropy
from infojax.measures import js_divergence
from infojax.measures import kl_divergence
from infojax.measures import kl_divergence_from_logits
from infojax.measures import mutual_information
from infojax.measures import mutual_information_from_logits
from infojax.measures import normalized_mutual_information
from infojax.measures import o_information
from infojax.measures import o_information_gradients
from infojax.measures import pid
from infojax.measures import renyi_entropy
from infojax.measures import s_information
from infojax.measures import total_correlation
from infojax.measures import variation_of_information

__version__ = "0.1.0"

__all__ = [
    "bayes",
    "bounds",
    "conditional_entropy",
    "conditional_mutual_information",
    "cross_entropy",
    "cross_entropy_from_logits",
    "data",
    "dual_total_correlation",
    "entropy",
    "entropy_from_logits",
    "estimators",
    "gaussian_entropy",
    "gaussian_kl_divergence",
    "gaussian_mixture_entropy_bounds",
    "gaussian_mixture_information_bounds",
    "gaussian_mixture_information_estimate",
    "gaussian_mutual_information_from_covariance",
    "interaction_information",
    "io",
    "joint_entropy",
    "js_divergence",
    "kl_divergence",
    "kl_divergence_from_logits",
    "measures",
    "models",
    "mutual_information",
    "mutual_information_from_logits",
    "normalized_mutual_information",
    "o_information",
    "o_information_gradients",
    "objectives",
    "pid",
    "renyi_entropy",
    "s_information",
    "stats",
    "tasks",
    "total_correlation",
    "tracking",
    "training",
    "variation_of_information",
]
