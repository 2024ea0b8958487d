"""What is measured while networks train: the information plane of every layer, at
log-spaced epochs, with binning, KDE or any registered estimator."""

from infojax.tracking._epochs import tracked_epochs
from infojax.tracking._information_plane import PLANE_ESTIMATORS
from infojax.tracking._information_plane import InformationPlaneEstimator
from infojax.tracking._information_plane import information_plane
from infojax.tracking._information_plane import information_plane_estimator
from infojax.tracking._noisy import NoisyPlane
from infojax.tracking._noisy import noisy_information_plane
from infojax.tracking._pid import LayerPID
from infojax.tracking._pid import layer_pid

__all__ = [
    "PLANE_ESTIMATORS",
    "InformationPlaneEstimator",
    "LayerPID",
    "NoisyPlane",
    "information_plane",
    "information_plane_estimator",
    "layer_pid",
    "noisy_information_plane",
    "tracked_epochs",
]
