"""The tanh reproduction of Shwartz-Ziv & Tishby (2017) and Saxe et al. (2018).

12-bit task, 12-10-7-5-4-3-2 tanh network with a softmax output, Adam at 4e-4,
batch 256, 80/20 split, 8000 epochs, 250 log-spaced measured epochs, 50 seeds; the
information plane on all 4096 inputs (Saxe et al.'s ``FULL_MI``) with the estimator
settings of their reference code for this network (``IBnet_ComputeMI.ipynb``): the
KDE upper bound with noise variance 1e-3 and bins of width 0.07, beside Shwartz-Ziv
& Tishby's 30 bins over [-1, 1]. All of it is the default config's (with fewer seeds
and epochs there); ``sensitivity.py`` varies the noise variance and the bins.
"""

import ml_collections

from infojax.runs.information_plane import get_config as default_config


def get_config() -> ml_collections.ConfigDict:
    config = default_config()
    config.seeds = 50
    config.train.epochs = 8000
    config.train.chunk_epochs = 500
    config.tracking.epochs.count = 250
    return config
