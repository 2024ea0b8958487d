"""The noisy 12-bit tanh network of Goldfeld et al. (2019).

The network, data and optimizer of ``tanh.py`` with Gaussian noise of standard
deviation 0.005 added to every hidden layer, in training and in measurement (their
noisy version of the Shwartz-Ziv & Tishby model; beta = 0.005 in their notation, as
we read the paper: check it against the paper before quoting it as theirs).
I(X;T_l) and I(T_l;Y) of each noisy hidden layer come from sample propagation: the
noise drawn ``tracking.noisy.samples`` times per input through the earlier layers,
then Monte Carlo integration over the Gaussian mixture (``noisy`` rows, with standard
errors in ``*_se_bits``), beside a clustering measure of the representations
(``clustering``); ``noisy.png`` plots both against epoch. The binning and KDE rows
measure the same network with its noise off.

    python -m experiments.main --config=configs/information_plane/noisy.py --workdir=runs/noisy
"""

import ml_collections

from infojax.runs.information_plane import get_config as default_config


def get_config() -> ml_collections.ConfigDict:
    config = default_config()
    config.seeds = 10
    config.train.epochs = 4000
    config.train.chunk_epochs = 500
    config.tracking.epochs.count = 60
    config.model.noise_std = 0.005
    config.tracking.noisy.samples = 2
    return config
