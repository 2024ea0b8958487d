"""How the units of each layer share the label: the tanh 12-bit run with partial
information decomposition.

The network, data and training of ``tanh.py`` (Shwartz-Ziv & Tishby 2017; Saxe et al.
2018), fewer seeds. At every measured epoch each layer's units, binned as the
30-bin estimator bins them, are the sources of a partial information decomposition
of the label with the shared-exclusion redundancy (Makkeh, Gutknecht & Wibral 2021):
the full lattice for layers of at most 4 units (layers 4-6 here), the mean over unit
pairs of the two-source atoms for wider ones, the representational complexity of
Ehrlich et al. (2023) where the lattice is full, and the O-information of the layer's
binned units (Rosas et al. 2019). Columns ``pid_*`` and ``o_information_bits`` of the
``bins30`` rows; ``pid.png`` and a section of ``summary.md``.

    python -m experiments.main --config=configs/information_plane/pid.py --workdir=runs/pid
"""

import ml_collections

from infojax.runs.information_plane import get_config as default_config


def get_config() -> ml_collections.ConfigDict:
    config = default_config()
    config.seeds = 20
    config.train.epochs = 8000
    config.train.chunk_epochs = 500
    config.tracking.epochs.count = 120
    config.tracking.pid.estimator = "bins30"
    return config
