"""The information-plane machinery on scikit-learn's 8x8 digits (1797 images, 10
classes) with a wider tanh MLP.

An MNIST-size network, so the KDE noise variance is the one Saxe et al.'s reference
code uses for its MNIST network (``ComputeMI.ipynb``: 1e-1), not the 12-bit network's
1e-3.
"""

import ml_collections

from infojax.runs.information_plane import get_config as default_config


def get_config() -> ml_collections.ConfigDict:
    config = default_config()
    config.data.name = "digits"
    config.model.widths = (64, 64, 32, 16, 10)
    config.optimizer.learning_rate = 1e-3
    config.train.batch_size = 128
    config.train.epochs = 1000
    config.tracking.epochs.count = 80
    config.tracking.estimators.kde.noise_variance = 0.1
    return config
