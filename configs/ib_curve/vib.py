"""VIB (Alemi et al. 2017) on the 12-bit task: the default IB-curve config, with the
objective named as in the other variants (``nib.py``, ``ceb.py``).

The default config already trains VIB with the normal prior; this variant sets
``objective = "vib"`` itself, so that it stays VIB if the default changes.

    python -m experiments.main --config=configs/ib_curve/vib.py
"""

import ml_collections

from infojax.runs.ib_curve import get_config as default_config


def get_config() -> ml_collections.ConfigDict:
    config = default_config()
    config.objective = "vib"
    return config
