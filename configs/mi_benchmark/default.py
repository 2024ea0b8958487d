"""The ground-truth MI benchmark: every registered MI estimator on the default suite.

    python -m experiments.main --config=configs/mi_benchmark/default.py --workdir=runs/bench

The default config lives with the experiment (``infojax/runs/mi_benchmark/config.py``),
which checks every config against it.
"""

from infojax.runs.mi_benchmark import get_config

__all__ = ["get_config"]
