"""The tanh reproduction of Shwartz-Ziv & Tishby (2017) and Saxe et al. (2018).

12-bit task, 12-10-7-5-4-3-2 tanh network with a softmax output, Adam at 4e-4,
batch 256, 80/20 split, 8000 epochs, 250 log-spaced measured epochs, 50 seeds; the
information plane on all 4096 inputs with 30 bins over [-1, 1] and the KDE upper
bound with noise variance 0.1.
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
