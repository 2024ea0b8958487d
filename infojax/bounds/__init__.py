"""Variational (neural) bounds on mutual information, critics, and the loop that fits them.

``fit_mutual_information`` is the entry point; ``make_settings``, ``make_train_step``
and ``make_held_out_evaluation`` are the low-level API: the checked settings and the
pieces of its loop, for writing a loop of one's own.
"""

from infojax.bounds import _estimators  # noqa: F401  (registers neural_* estimators)
from infojax.bounds._bounds import BOUNDS
from infojax.bounds._bounds import BoundSpec
from infojax.bounds._bounds import MineState
from infojax.bounds._bounds import club_bound
from infojax.bounds._bounds import conditional_log_likelihood
from infojax.bounds._bounds import dv_bound
from infojax.bounds._bounds import get_bound
from infojax.bounds._bounds import infonce_bound
from infojax.bounds._bounds import interpolated_bound
from infojax.bounds._bounds import js_bound
from infojax.bounds._bounds import js_objective
from infojax.bounds._bounds import mine_bound
from infojax.bounds._bounds import mine_init_state
from infojax.bounds._bounds import mine_update_state
from infojax.bounds._bounds import nwj_bound
from infojax.bounds._bounds import smile_bound
from infojax.bounds._critics import CRITICS
from infojax.bounds._critics import BilinearCritic
from infojax.bounds._critics import ConcatenatedCritic
from infojax.bounds._critics import GaussianConditional
from infojax.bounds._critics import SeparableCritic
from infojax.bounds._critics import score_matrix
from infojax.bounds._fit import FitDiagnostics
from infojax.bounds._fit import MutualInformationFit
from infojax.bounds._fit import fit_mutual_information
from infojax.bounds._fit import make_held_out_evaluation
from infojax.bounds._fit import make_train_step
from infojax.bounds._latent import CrossPredictiveAutoencoder
from infojax.bounds._latent import LatentMutualInformationFit
from infojax.bounds._latent import fit_latent_mutual_information
from infojax.bounds._latent import latent_mutual_information
from infojax.bounds._settings import DEFAULTS
from infojax.bounds._settings import FitSettings
from infojax.bounds._settings import default_optimizer
from infojax.bounds._settings import make_settings

__all__ = [
    "BOUNDS",
    "CRITICS",
    "DEFAULTS",
    "BilinearCritic",
    "BoundSpec",
    "ConcatenatedCritic",
    "CrossPredictiveAutoencoder",
    "FitDiagnostics",
    "FitSettings",
    "GaussianConditional",
    "LatentMutualInformationFit",
    "MineState",
    "MutualInformationFit",
    "SeparableCritic",
    "club_bound",
    "conditional_log_likelihood",
    "default_optimizer",
    "dv_bound",
    "fit_latent_mutual_information",
    "fit_mutual_information",
    "get_bound",
    "infonce_bound",
    "interpolated_bound",
    "js_bound",
    "js_objective",
    "latent_mutual_information",
    "make_held_out_evaluation",
    "make_settings",
    "make_train_step",
    "mine_bound",
    "mine_init_state",
    "mine_update_state",
    "nwj_bound",
    "score_matrix",
    "smile_bound",
]
