"""Information plane of a tanh network on the 12-bit task: a short run for a laptop.

    python -m experiments.main --config=configs/information_plane/default.py

The default config lives with the experiment (``infojax/runs/information_plane/
config.py``), which checks every config against it.
"""

from infojax.runs.information_plane import get_config

__all__ = ["get_config"]
