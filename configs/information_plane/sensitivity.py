"""How the information plane of the default run depends on the estimator's settings.

The default config's network, data and training (10 seeds x 2000 epochs), measured
by the KDE upper bound at noise variances 1e-4, 1e-3 (Saxe et al.'s 12-bit setting),
1e-2 and 1e-1 (their MNIST setting, which the 12-bit configs used before), and by
binning with 10, 30 (Shwartz-Ziv & Tishby) and 100 bins over [-1, 1] and bins of
width 0.07 (Saxe et al.). The report draws ``sensitivity_kde.png`` and
``sensitivity_binning.png``: every layer's I(X;T) and I(T;Y) at the last epoch under
each setting, with 95 % t intervals over seeds.

    python -m experiments.main --config=configs/information_plane/sensitivity.py \\
        --workdir=runs/sensitivity
"""

import ml_collections

from infojax.runs.information_plane import get_config as default_config


def get_config() -> ml_collections.ConfigDict:
    config = default_config()
    config.tracking.epochs.count = 60
    estimators = ml_collections.ConfigDict()
    for exponent in (4, 3, 2, 1):
        estimators[f"kde_1e-{exponent}"] = ml_collections.ConfigDict(
            {"name": "kde", "noise_variance": 10.0**-exponent, "bound": "upper"}
        )
    for n_bins in (10, 30, 100):
        estimators[f"bins{n_bins}"] = ml_collections.ConfigDict(
            {"name": "binning", "n_bins": n_bins, "value_range": (-1.0, 1.0)}
        )
    estimators.bin_width_007 = config.tracking.estimators.bin_width_007
    config.tracking.estimators = estimators
    return config
