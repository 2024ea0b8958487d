"""Nonlinear IB (Kolchinsky, Tracey & Wolpert 2019) on the 12-bit task.

Z = f(X) + noise with a trained noise scale; the rate is the pairwise-distance (KDE)
upper bound on I(X;Z) over each minibatch. The labels of the 12-bit task are a
function of the input, where a sweep of the plain IB Lagrangian jumps between keeping
everything and keeping nothing (Kolchinsky et al., ICLR 2019); the squared-IB
functional (``power = 2``) traces the curve in between, over a wider range of beta.

    python -m experiments.main --config=configs/ib_curve/nib.py
"""

import ml_collections

from infojax.runs.ib_curve import get_config as default_config


def get_config() -> ml_collections.ConfigDict:
    config = default_config()
    config.objective = "nib"
    config.model.power = 2
    config.beta.min = 1e-3
    config.beta.max = 10.0
    return config
