"""A small benchmark that runs in well under two minutes on two CPU cores.

python -m experiments.main --config=configs/mi_benchmark/quick.py --workdir=runs/quick
"""

import ml_collections

from infojax.runs.mi_benchmark import get_config as default_config


def get_config() -> ml_collections.ConfigDict:
    config = default_config()
    config.seeds = 2
    config.sample_sizes = (1000,)
    config.tasks = (
        "normal-dense-1x1-rho0.75",
        "normal-dense-5x5-rho0.5",
        "student-t-dense-1x1-rho0.5-nu1",
        "additive-uniform-eps0.5",
        "discrete-continuous-m4",
        "normal-dense-1x1-rho0.75+half_cube",
    )
    # The classical estimators and InfoNCE (the other neural bounds cost minutes here).
    config.estimators = tuple(
        name
        for name in config.estimators
        if not name.startswith("neural_") or name == "neural_infonce"
    )
    config.estimator_options = ml_collections.ConfigDict({"neural_infonce": {"steps": 300}})
    return config
