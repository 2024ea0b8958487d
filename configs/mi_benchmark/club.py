"""How loose CLUB, the upper bound, is on the ground-truth suite, beside InfoNCE.

python -m experiments.main --config=configs/mi_benchmark/club.py --workdir=runs/club

CLUB (Cheng et al. 2020) bounds I(X;Y) from above through a learned Gaussian q(y|x);
its summary row (bias = mean of CLUB - truth) is its measured looseness at the
defaults, and the InfoNCE row the lower side of the bracket on the same sample sets.
One seed per task at n = 5,000, the suite's tasks up to 25 dimensions per side.
"""

import ml_collections

from infojax.runs.mi_benchmark import get_config as default_config


def get_config() -> ml_collections.ConfigDict:
    config = default_config()
    config.seeds = 1
    config.estimators = ("neural_club", "neural_infonce")
    return config
