"""The persistent compilation cache of the experiments: the environment switch, and a
second process of the command line that loads its programs from a warm cache."""

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import jax
import pytest
from config_files import ROOT

from infojax.runs._compilation_cache import ENVIRONMENT_VARIABLE
from infojax.runs._compilation_cache import compilation_cache_dir
from infojax.runs._compilation_cache import enable_compilation_cache


@pytest.mark.parametrize("value", ["off", "OFF", " Off ", "0", "false", "no", "none"])
def test_off(value):
    assert compilation_cache_dir({ENVIRONMENT_VARIABLE: value}) is None
    assert enable_compilation_cache({ENVIRONMENT_VARIABLE: value}) is None


def test_custom_folder(tmp_path):
    assert compilation_cache_dir({ENVIRONMENT_VARIABLE: str(tmp_path / "c")}) == tmp_path / "c"
    assert compilation_cache_dir({ENVIRONMENT_VARIABLE: "~/jax-cache"}) == (
        Path.home() / "jax-cache"
    )


def test_default_folder_follows_xdg_cache_home(tmp_path):
    assert compilation_cache_dir({"XDG_CACHE_HOME": str(tmp_path)}) == tmp_path / "infojax" / "jax"
    home = Path.home() / ".cache" / "infojax" / "jax"
    assert compilation_cache_dir({}) == home
    assert compilation_cache_dir({ENVIRONMENT_VARIABLE: ""}) == home
    # The XDG specification ignores relative paths.
    assert compilation_cache_dir({"XDG_CACHE_HOME": "relative"}) == home


def test_enable_sets_jax_folder(tmp_path):
    before = jax.config.jax_compilation_cache_dir
    folder = tmp_path / "nested" / "cache"
    try:
        assert enable_compilation_cache({ENVIRONMENT_VARIABLE: str(folder)}) == folder
        assert folder.is_dir()
        assert jax.config.jax_compilation_cache_dir == str(folder)
    finally:
        jax.config.update("jax_compilation_cache_dir", before)


def test_a_folder_that_cannot_be_made_leaves_the_cache_off(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    before = jax.config.jax_compilation_cache_dir
    with pytest.warns(RuntimeWarning, match=r"compilation cache off: cannot create"):
        assert enable_compilation_cache({ENVIRONMENT_VARIABLE: str(blocked / "cache")}) is None
    assert jax.config.jax_compilation_cache_dir == before


# The command line with listeners for JAX's cache events and its log of cache hits.
COMMAND_LINE = textwrap.dedent(
    """
    import atexit, json, logging, sys
    import jax
    counts, hits = {}, []
    def count(event, **kwargs):
        counts[event] = counts.get(event, 0) + 1
    class Hits(logging.Handler):
        def emit(self, record):
            if "Persistent compilation cache hit" in record.getMessage():
                hits.append(record.args[0])
    compiler_log = logging.getLogger("jax._src.compiler")
    compiler_log.setLevel(logging.DEBUG)
    compiler_log.addHandler(Hits())
    compiler_log.propagate = False
    jax.monitoring.register_event_listener(count)
    atexit.register(lambda: print(json.dumps({"counts": counts, "hits": hits})))
    from infojax.cli import cli
    sys.argv = ["infojax-experiment", *sys.argv[1:]]
    cli()
    """
)

TINY = [
    "--config.seeds=1",
    "--config.train.epochs=2",
    "--config.train.chunk_epochs=2",
    "--config.tracking.epochs.count=2",
    "--config.progress=False",
    "--config.cpu_devices=0",
]


def _run(workdir, environment):
    env = {name: value for name, value in os.environ.items() if name != ENVIRONMENT_VARIABLE}
    # Every program, however fast it compiles here, so that the test does not depend
    # on the machine's speed.
    env.update(JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS="0", **environment)
    completed = subprocess.run(
        [sys.executable, "-c", COMMAND_LINE, *TINY, f"--workdir={workdir}"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert completed.returncode == 0, completed.stderr[-3000:]
    return json.loads(completed.stdout.strip().splitlines()[-1])


def test_a_second_process_loads_the_programs_from_the_warm_cache(tmp_path):
    # The first run fills the default folder, the second names it.
    cache = tmp_path / "xdg" / "infojax" / "jax"
    cold = _run(tmp_path / "cold", {"XDG_CACHE_HOME": str(tmp_path / "xdg")})
    entries = sorted(path.name for path in cache.iterdir())
    assert any(name.startswith("jit_chunk") for name in entries), entries
    assert cold["counts"].get("/jax/compilation_cache/cache_misses", 0) > 0
    assert not cold["hits"]
    # Another workdir, the same programs: loaded, not compiled.
    warm = _run(tmp_path / "warm", {ENVIRONMENT_VARIABLE: str(cache)})
    assert "jit_chunk" in warm["hits"] and "jit_init" in warm["hits"]
    assert (
        warm["counts"].get("/jax/compilation_cache/cache_misses", 0)
        < (cold["counts"]["/jax/compilation_cache/cache_misses"])
    )


def test_off_writes_no_cache(tmp_path):
    home = tmp_path / "xdg"
    run = _run(tmp_path / "run", {ENVIRONMENT_VARIABLE: "off", "XDG_CACHE_HOME": str(home)})
    assert not (home / "infojax").exists()
    assert "/jax/compilation_cache/cache_misses" not in run["counts"]  # no writes
    assert not run["hits"]
