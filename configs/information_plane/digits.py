"""The information-plane machinery on scikit-learn's 8x8 digits (1797 images, 10
classes) with a wider tanh MLP."""

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
    return config
