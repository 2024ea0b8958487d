"""The default benchmark config: the main MI estimators on the default suite.

    python -m experiments.main --config=configs/mi_benchmark/default.py --workdir=runs/bench

Writes results.csv (one row per estimator, task, sample size and seed), summary.md
(the accuracy table), skipped.csv and PNG plots into the workdir; re-running the same
command resumes. It is also the reference every benchmark config is checked against: a
field it lacks is unknown, one it has is required, and values take its types.
"""

import ml_collections

from infojax.runs._distributed import distributed_config


def get_config() -> ml_collections.ConfigDict:
    config = ml_collections.ConfigDict()
    config.experiment = "mi_benchmark"
    config.seed = 0
    config.seeds = 3  # independent sample sets per task, estimated together with vmap
    config.sample_sizes = (5000,)
    config.suite = "default"
    config.tasks = ()  # task names to keep; empty: the whole suite
    # Registered MI estimators to run; () runs every registered one, including CLUB
    # (an upper bound) and matrix-based Renyi (an O(n^3) eigendecomposition per call).
    config.estimators = (
        "ksg",
        "ksg2",
        "gaussian",
        "gaussian_copula",
        "mixed_ksg",
        "binning",
        "neural_infonce",
        "neural_nwj",
        "neural_dv",
        "neural_mine",
        "neural_js",
        "neural_smile",
        "neural_interpolated",
    )
    # Per-estimator keyword overrides, e.g. {"ksg": {"k": 5}}.
    config.estimator_options = ml_collections.ConfigDict()
    # Skip tasks with dim_x + dim_y above this (0: no limit): 50 keeps the suite's tasks
    # up to 25 dimensions per side (all but its four 50 x 50 tasks).
    config.max_dim = 50
    # Runs across processes and hosts (jax.distributed): the jobs are split between
    # the processes. See infojax.runs.distributed_config.
    config.distributed = distributed_config()
    config.progress = True
    return config
