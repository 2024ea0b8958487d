"""IB curve of VIB on the 12-bit task: 12 values of beta x 3 seeds in one program.

    python -m experiments.main --config=configs/ib_curve/default.py

The default config lives with the experiment (``infojax/runs/ib_curve/config.py``),
which checks every config against it.
"""

from infojax.runs.ib_curve import get_config

__all__ = ["get_config"]
