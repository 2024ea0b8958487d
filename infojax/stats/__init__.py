"""Permutation tests, bootstrap intervals and shuffle-bias correction for any estimator;
intervals of the mean over seeds for curves."""

from infojax.stats._intervals import SeedInterval
from infojax.stats._intervals import seed_interval
from infojax.stats._resampling import BootstrapResult
from infojax.stats._resampling import PermutationTestResult
from infojax.stats._resampling import bootstrap_ci
from infojax.stats._resampling import permutation_test
from infojax.stats._resampling import shuffle_corrected_estimate

__all__ = [
    "BootstrapResult",
    "PermutationTestResult",
    "SeedInterval",
    "bootstrap_ci",
    "permutation_test",
    "seed_interval",
    "shuffle_corrected_estimate",
]
