"""The package as a whole: what `import infojax` loads, and the table of experiments."""

import functools
import json
import subprocess
import sys

import pytest

from infojax import runs

NEW_MODULES = """
import sys, json
import jax, flax, optax
before = set(sys.modules)
import infojax
print(json.dumps(sorted({name.split('.')[0] for name in set(sys.modules) - before})))
"""

SCIPY_MODULES = """
import sys, json
import jax, flax, optax
before = set(sys.modules)
import infojax
print(json.dumps(sorted(name for name in set(sys.modules) - before if name.startswith("scipy."))))
"""


def test_import_infojax_loads_no_plotting_checkpointing_or_flag_library(tmp_path):
    completed = subprocess.run(
        [sys.executable, "-c", NEW_MODULES],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    added = set(json.loads(completed.stdout))
    assert "infojax" in added
    # absl is loaded by optax and flax themselves, so it cannot be among the additions.
    heavy = {"matplotlib", "orbax", "tqdm", "ml_collections", "absl", "sklearn", "PIL"}
    assert not added & heavy, added & heavy


@functools.cache
def _scipy_modules_added_by_import():
    completed = subprocess.run(
        [sys.executable, "-c", SCIPY_MODULES],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return set(json.loads(completed.stdout))


@pytest.mark.parametrize(
    "module",
    ["scipy.stats", "scipy.spatial"],
)
def test_import_infojax_loads_no_heavy_scipy_module(module):
    # Neither is loaded by jax, flax or optax themselves (checked), so an addition is ours.
    assert module not in _scipy_modules_added_by_import()


@pytest.mark.parametrize("name", sorted(runs.EXPERIMENTS))
def test_every_experiment_has_a_run_and_a_default_config_that_passes_its_check(name):
    experiment = runs.EXPERIMENTS[name]
    config = experiment.get_config()
    assert config.experiment == name
    experiment.check_config(config)
    assert callable(experiment.run)
