"""VIB on scikit-learn's digits (8 x 8 images, 10 classes): accuracy against beta next
to a deterministic network of the same size (the baseline).

    python -m experiments.main --config=configs/ib_curve/digits.py
"""

import ml_collections

from infojax.runs.ib_curve import get_config as default_config


def get_config() -> ml_collections.ConfigDict:
    config = default_config()
    config.data.name = "digits"
    config.model.encoder_widths = (256, 256)
    config.model.latent_features = 16
    config.beta.min = 1e-4
    config.beta.max = 1.0
    config.train.epochs = 400
    config.train.batch_size = 128
    return config
