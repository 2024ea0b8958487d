"""Permutation tests, bootstrap intervals and shuffle-bias correction for any estimator."""

from infojax.stats._resampling import BootstrapResult
from infojax.stats._resampling import PermutationTestResult
from infojax.stats._resampling import bootstrap_ci
from infojax.stats._resampling import permutation_test
from infojax.stats._resampling import shuffle_corrected_estimate

__all__ = [
    "BootstrapResult",
    "PermutationTestResult",
    "bootstrap_ci",
    "permutation_test",
    "shuffle_corrected_estimate",
]
