"""VIB (Alemi et al. 2017): the default IB-curve config, under the objective's name.

python -m experiments.main --config=configs/ib_curve/vib.py
"""

from infojax.runs.ib_curve import get_config

__all__ = ["get_config"]
