"""Information quantities estimated from samples.

Every estimator takes one sample set and returns one scalar (nats unless ``base`` is
given); batch over seeds, tasks or layers with ``jax.vmap``. All are registered by
name in :data:`infojax.estimators.ESTIMATORS`.
"""

from infojax._registry import ESTIMATORS
from infojax._registry import EstimatorSpec
from infojax._registry import get_estimator
from infojax._registry import list_estimators
from infojax.estimators._binning import binned_entropy
from infojax.estimators._binning import binned_information_plane
from infojax.estimators._binning import binned_mutual_information
from infojax.estimators._binning import histogram_mutual_information
from infojax.estimators._discrete import discrete_conditional_mutual_information
from infojax.estimators._discrete import discrete_entropy
from infojax.estimators._discrete import discrete_mutual_information
from infojax.estimators._gaussian import gaussian_copula_mutual_information
from infojax.estimators._gaussian import gaussian_mutual_information
from infojax.estimators._gaussian_pid import gaussian_pid
from infojax.estimators._higher_order import MultipletInformation
from infojax.estimators._higher_order import gaussian_copula_dual_total_correlation
from infojax.estimators._higher_order import gaussian_copula_o_information
from infojax.estimators._higher_order import gaussian_copula_o_information_multiplets
from infojax.estimators._higher_order import gaussian_copula_total_correlation
from infojax.estimators._higher_order import gaussian_dual_total_correlation
from infojax.estimators._higher_order import gaussian_o_information
from infojax.estimators._higher_order import gaussian_total_correlation
from infojax.estimators._higher_order import ksg_dual_total_correlation
from infojax.estimators._higher_order import ksg_o_information
from infojax.estimators._higher_order import ksg_total_correlation
from infojax.estimators._kernel import hsic
from infojax.estimators._kernel import kde_entropy
from infojax.estimators._kernel import kde_information_plane
from infojax.estimators._kernel import kde_input_information
from infojax.estimators._kernel import kde_label_information
from infojax.estimators._kernel import matrix_renyi_entropy
from infojax.estimators._kernel import matrix_renyi_mutual_information
from infojax.estimators._neighbours import kl_entropy
from infojax.estimators._neighbours import ksg_conditional_mutual_information
from infojax.estimators._neighbours import ksg_mutual_information
from infojax.estimators._neighbours import mixed_ksg_mutual_information

__all__ = [
    "ESTIMATORS",
    "EstimatorSpec",
    "MultipletInformation",
    "binned_entropy",
    "binned_information_plane",
    "binned_mutual_information",
    "discrete_conditional_mutual_information",
    "discrete_entropy",
    "discrete_mutual_information",
    "gaussian_copula_dual_total_correlation",
    "gaussian_copula_mutual_information",
    "gaussian_copula_o_information",
    "gaussian_copula_o_information_multiplets",
    "gaussian_copula_total_correlation",
    "gaussian_dual_total_correlation",
    "gaussian_mutual_information",
    "gaussian_o_information",
    "gaussian_pid",
    "gaussian_total_correlation",
    "get_estimator",
    "histogram_mutual_information",
    "hsic",
    "kde_entropy",
    "kde_information_plane",
    "kde_input_information",
    "kde_label_information",
    "kl_entropy",
    "ksg_conditional_mutual_information",
    "ksg_dual_total_correlation",
    "ksg_mutual_information",
    "ksg_o_information",
    "ksg_total_correlation",
    "list_estimators",
    "matrix_renyi_entropy",
    "matrix_renyi_mutual_information",
    "mixed_ksg_mutual_information",
]
