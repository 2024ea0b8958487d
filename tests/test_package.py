"""The package as a whole: what `import infojax` loads, and the table of experiments."""

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


@pytest.mark.parametrize("name", sorted(runs.EXPERIMENTS))
def test_every_experiment_has_a_run_and_a_default_config_that_passes_its_check(name):
    experiment = runs.EXPERIMENTS[name]
    config = experiment.get_config()
    assert config.experiment == name
    experiment.check_config(config)
    assert callable(experiment.run)
