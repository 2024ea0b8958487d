"""The conditional entropy bottleneck (Fischer 2020) on the 12-bit task.

The rate is the residual information I(X;Z|Y), bounded with a learned backward
encoder b(z|y) (one Gaussian per class); it reaches zero at a larger beta than VIB's
rate, so the sweep goes further.

    python -m experiments.main --config=configs/ib_curve/ceb.py
"""

import ml_collections

from infojax.runs.ib_curve import get_config as default_config


def get_config() -> ml_collections.ConfigDict:
    config = default_config()
    config.objective = "ceb"
    config.beta.min = 1e-3
    config.beta.max = 5.0
    return config
