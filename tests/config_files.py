"""Config files of the repository, loaded by path as the command line loads them."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def load_config(relative_path):
    """``get_config()`` of ``configs/<relative_path>`` (e.g. ``"mi_benchmark/quick.py"``)."""
    path = ROOT / "configs" / relative_path
    spec = importlib.util.spec_from_file_location(f"config_{path.stem}", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.get_config()
