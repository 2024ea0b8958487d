"""The IB-curve experiment: training with an information-bottleneck objective.

``run(config, workdir)`` trains stochastic-encoder networks with VIB, nonlinear IB or
CEB for a sweep of beta and several seeds in one compiled program and records the
rate, the distortion, the accuracy (draws of Z averaged, and of a single draw) and
Gaussian-mixture bounds on I(X;Z) and I(Z;Y) as they train; ``get_config()`` is the
default config, against which every config is checked.
"""

from infojax.runs.ib_curve._experiment import BASELINE_INDEX
from infojax.runs.ib_curve._experiment import COLUMNS
from infojax.runs.ib_curve._experiment import OBJECTIVES
from infojax.runs.ib_curve._experiment import RUNTIME_FIELDS
from infojax.runs.ib_curve._experiment import SCHEMA
from infojax.runs.ib_curve._experiment import IBNetwork
from infojax.runs.ib_curve._experiment import betas
from infojax.runs.ib_curve._experiment import check_config
from infojax.runs.ib_curve._experiment import run
from infojax.runs.ib_curve.config import get_config

__all__ = [
    "BASELINE_INDEX",
    "COLUMNS",
    "OBJECTIVES",
    "RUNTIME_FIELDS",
    "SCHEMA",
    "IBNetwork",
    "betas",
    "check_config",
    "get_config",
    "run",
]
