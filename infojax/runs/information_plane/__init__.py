"""The information-plane experiment (Shwartz-Ziv & Tishby 2017; Saxe et al. 2018).

``run(config, workdir)`` trains classifiers of many seeds together and records how
much information every layer carries about the input and the label as training goes
on; ``get_config()`` is the default config, against which every config is checked.
"""

from infojax.runs._data import data_information
from infojax.runs.information_plane._experiment import COLUMNS
from infojax.runs.information_plane._experiment import NOISY_LABEL
from infojax.runs.information_plane._experiment import RUNTIME_FIELDS
from infojax.runs.information_plane._experiment import SCHEMA
from infojax.runs.information_plane._experiment import SPLITS
from infojax.runs.information_plane._experiment import check_config
from infojax.runs.information_plane._experiment import classifier_loss
from infojax.runs.information_plane._experiment import metrics_schema
from infojax.runs.information_plane._experiment import run
from infojax.runs.information_plane._report import generalisation_gap
from infojax.runs.information_plane._report import plot_generalisation_gap
from infojax.runs.information_plane._report import plot_gradients
from infojax.runs.information_plane._report import plot_information_plane
from infojax.runs.information_plane._report import plot_sensitivity
from infojax.runs.information_plane._report import plot_training_curves
from infojax.runs.information_plane._report import seed_means
from infojax.runs.information_plane._report import training_curves
from infojax.runs.information_plane._report import write_summary
from infojax.runs.information_plane.config import get_config

__all__ = [
    "COLUMNS",
    "NOISY_LABEL",
    "RUNTIME_FIELDS",
    "SCHEMA",
    "SPLITS",
    "check_config",
    "classifier_loss",
    "data_information",
    "generalisation_gap",
    "get_config",
    "metrics_schema",
    "plot_generalisation_gap",
    "plot_gradients",
    "plot_information_plane",
    "plot_sensitivity",
    "plot_training_curves",
    "run",
    "seed_means",
    "training_curves",
    "write_summary",
]
