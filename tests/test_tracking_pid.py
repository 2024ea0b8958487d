"""The sample-based sx PID of a layer's binned units, against the table PID and dit.

References: :func:`infojax.pid` (``measure="sx"``) on the empirical table built with
NumPy's ``histogramdd``; dit's ``PID_SX`` on one case; plug-in entropies in NumPy for
the O-information; closed forms for XOR.
"""

from __future__ import annotations

import itertools
import math

import jax
import jax.numpy as jnp
import numpy as np
import pytest

import infojax
from infojax.measures._pid_lattice import redundancy_lattice
from infojax.tracking import LayerPID
from infojax.tracking import layer_pid
from infojax.tracking._pid import _bin_indices
from infojax.tracking._pid import _lattice_atoms

LOW, HIGH = -1.0, 1.0


def layer_on_bin_centres(rng, n, width, n_bins, n_classes):
    """Activations at bin centres of ``n_bins`` bins on [-1, 1], and dependent labels."""
    codes = rng.integers(0, n_bins, size=(n, width))
    noise = rng.integers(0, n_classes, size=n)
    labels = np.where(rng.random(n) < 0.6, codes.sum(axis=1) % n_classes, noise)
    t = LOW + (codes + 0.5) * (HIGH - LOW) / n_bins
    return t, codes, labels.astype(np.int32)


def empirical_table(codes, labels, n_bins, n_classes) -> np.ndarray:
    sample = np.column_stack([codes, labels]).astype(float)
    edges = [np.arange(n_bins + 1) - 0.5] * codes.shape[1] + [np.arange(n_classes + 1) - 0.5]
    counts, _ = np.histogramdd(sample, bins=edges)
    return counts / len(labels)


def table_atoms(table, dtype) -> dict:
    with jax.enable_x64(dtype == np.float64):
        result = infojax.pid(jnp.asarray(table, dtype), measure="sx", base=2)
        return {node: float(value) for node, value in result.atoms.items()}


def sample_atoms(t, labels, n_bins, n_classes, dtype) -> dict:
    """Every atom of the sample-based lattice (the private core of ``layer_pid``)."""
    t = jnp.asarray(t, dtype)
    value_range = tuple(jnp.full((t.shape[1],), v, dtype) for v in (LOW, HIGH))
    bins = _bin_indices(t, value_range, n_bins=n_bins, bin_width=None, equal_mass=False)
    labels = jnp.asarray(labels)
    label_counts = jnp.bincount(labels, length=n_classes)[labels].astype(jnp.int32)
    atoms, _, _ = _lattice_atoms(bins, labels, label_counts, n_bins, t.dtype)
    nodes = redundancy_lattice(t.shape[1]).nodes
    return {node: float(atoms[k]) for k, node in enumerate(nodes)}


def aggregates_from_atoms(atoms: dict, width: int) -> dict:
    """The LayerPID fields by their definitions, in NumPy, from a full lattice of atoms."""
    total = sum(atoms.values())
    weighted = sum(min(len(a) for a in node) * value for node, value in atoms.items())
    return {
        "redundancy": atoms[tuple((i,) for i in range(width))],
        "unique": sum(atoms[((i,),)] for i in range(width)),
        "synergy": atoms[(tuple(range(width)),)],
        "total": total,
        "complexity": weighted / total,
    }


def plugin_entropy_bits(codes: np.ndarray) -> float:
    _, counts = np.unique(codes, axis=0, return_counts=True)
    p = counts / counts.sum()
    return float(-np.sum(p * np.log2(p)))


def o_information_bits(codes: np.ndarray) -> float:
    w = codes.shape[1]
    value = (w - 2) * plugin_entropy_bits(codes)
    for i in range(w):
        value += plugin_entropy_bits(codes[:, [i]]) - plugin_entropy_bits(np.delete(codes, i, 1))
    return value


CASES = [(2, 3, 2), (3, 3, 2), (3, 2, 3), (4, 2, 2), (4, 3, 2)]  # width, bins, classes


@pytest.mark.float64
@pytest.mark.parametrize(("width", "n_bins", "n_classes"), CASES)
def test_every_atom_equals_table_pid_float64(width, n_bins, n_classes):
    rng = np.random.default_rng(width * 10 + n_bins)
    t, codes, labels = layer_on_bin_centres(rng, 400, width, n_bins, n_classes)
    reference = table_atoms(empirical_table(codes, labels, n_bins, n_classes), np.float64)
    ours = sample_atoms(t, labels, n_bins, n_classes, jnp.float64)
    assert set(ours) == set(reference)
    for node, value in reference.items():
        assert abs(ours[node] - value) <= 1e-10, (node, ours[node], value)


@pytest.mark.parametrize(("width", "n_bins", "n_classes"), CASES)
def test_every_atom_equals_table_pid_float32(width, n_bins, n_classes):
    rng = np.random.default_rng(width * 10 + n_bins)
    t, codes, labels = layer_on_bin_centres(rng, 400, width, n_bins, n_classes)
    with jax.enable_x64(True):
        reference = table_atoms(empirical_table(codes, labels, n_bins, n_classes), np.float64)
    ours = sample_atoms(t, labels, n_bins, n_classes, jnp.float32)
    for node, value in reference.items():
        assert abs(ours[node] - value) <= 1e-4, (node, ours[node], value)


@pytest.mark.float64
@pytest.mark.parametrize(("width", "n_bins", "n_classes"), CASES)
def test_layer_pid_fields_from_table_atoms(width, n_bins, n_classes):
    rng = np.random.default_rng(width * 10 + n_bins)
    t, codes, labels = layer_on_bin_centres(rng, 400, width, n_bins, n_classes)
    reference = aggregates_from_atoms(
        table_atoms(empirical_table(codes, labels, n_bins, n_classes), np.float64), width
    )
    result = layer_pid(jnp.asarray(t), labels, n_classes=n_classes, n_bins=n_bins)
    for name, value in reference.items():
        assert abs(float(getattr(result, name)) - value) <= 1e-9, name
    assert abs(float(result.o_information) - o_information_bits(codes)) <= 1e-10
    assert result.total.dtype == jnp.float64


def test_against_dit_pid_sx():
    dit = pytest.importorskip("dit")
    from dit.pid import PID_SX

    rng = np.random.default_rng(3)
    t, codes, labels = layer_on_bin_centres(rng, 300, 3, 2, 2)
    table = empirical_table(codes, labels, 2, 2)
    outcomes = [index for index in np.ndindex(*table.shape) if table[index] > 0]
    decomposition = PID_SX(dit.Distribution(outcomes, [table[index] for index in outcomes]))
    ours = sample_atoms(t, labels, 2, 2, jnp.float32)
    for node in decomposition._lattice:
        assert abs(ours[node] - decomposition[node]) <= 1e-4, node


@pytest.mark.parametrize("width", [3, 4, 6])
def test_o_information_against_numpy_entropies(width):
    rng = np.random.default_rng(width)
    t, codes, labels = layer_on_bin_centres(rng, 1000, width, 3, 2)
    result = layer_pid(t.astype(np.float32), labels, n_classes=2, n_bins=3)
    assert abs(float(result.o_information) - o_information_bits(codes)) <= 1e-4


def test_o_information_zero_for_two_units():
    rng = np.random.default_rng(0)
    t, _, labels = layer_on_bin_centres(rng, 500, 2, 5, 2)
    assert float(layer_pid(t, labels, n_classes=2, n_bins=5).o_information) == 0.0


def test_xor_layer_closed_form():
    # Two units whose XOR is the label, all four patterns equally often: sx gives a
    # misinformative redundancy log2(2/3), unique log2(3/2) each, synergy log2(4/3).
    bits = np.array(list(itertools.product((0, 1), repeat=2)) * 256)
    t = np.where(bits == 1, 0.7, -0.7).astype(np.float32)
    result = layer_pid(t, bits[:, 0] ^ bits[:, 1], n_classes=2)
    expected = {
        "redundancy": math.log2(2 / 3),
        "unique": 2 * math.log2(3 / 2),
        "synergy": math.log2(4 / 3),
        "total": 1.0,
        "complexity": 1 + math.log2(4 / 3),  # (R + U_0 + U_1 + 2 S) / 1 bit
        "o_information": 0.0,
    }
    for name, value in expected.items():
        assert abs(float(getattr(result, name)) - value) <= 1e-5, name


def test_xor_table_pid_agrees():
    xor = np.zeros((2, 2, 2))
    for a, b in itertools.product((0, 1), repeat=2):
        xor[a, b, a ^ b] = 0.25
    atoms = table_atoms(xor, np.float32)
    assert abs(atoms[((0, 1),)] - math.log2(4 / 3)) <= 1e-6


@pytest.mark.parametrize(("width", "max_sources"), [(6, 4), (4, 2), (3, 2)])
def test_wide_layer_is_mean_over_pairs(width, max_sources):
    rng = np.random.default_rng(width)
    t, _, labels = layer_on_bin_centres(rng, 800, width, 4, 2)
    t = t.astype(np.float32)
    result = layer_pid(t, labels, n_classes=2, n_bins=4, max_sources=max_sources)
    pairs = [
        layer_pid(t[:, list(pair)], labels, n_classes=2, n_bins=4)
        for pair in itertools.combinations(range(width), 2)
    ]
    for name in ("redundancy", "unique", "synergy", "total"):
        expected = np.mean([float(getattr(p, name)) for p in pairs])
        assert abs(float(getattr(result, name)) - expected) <= 1e-5, name
    assert np.isnan(float(result.complexity))
    full = layer_pid(t, labels, n_classes=2, n_bins=4, max_sources=min(width, 4))
    if width <= 4:
        assert abs(float(result.o_information) - float(full.o_information)) <= 1e-5


def test_one_unit_nan_pid_and_total_is_binned_information():
    rng = np.random.default_rng(1)
    t, _, labels = layer_on_bin_centres(rng, 500, 1, 6, 2)
    result = layer_pid(t, labels, n_classes=2, n_bins=6)
    for name in ("redundancy", "unique", "synergy", "complexity"):
        assert np.isnan(float(getattr(result, name))), name
    expected = infojax.estimators.binned_mutual_information(
        t, labels, n_bins=6, value_range=(LOW, HIGH), base=2
    )
    assert abs(float(result.total) - float(expected)) <= 1e-5
    assert float(result.o_information) == 0.0


@pytest.mark.parametrize(
    "options",
    [
        {"n_bins": 30, "value_range": (-1.0, 1.0)},
        {"bin_width": 0.07, "value_range": (-1.05, 1.05)},
        {"n_bins": 8, "value_range": None},
        {"bin_width": 0.25, "value_range": None},
    ],
)
def test_total_is_binned_information_for_every_binning(options):
    t = np.tanh(np.random.default_rng(2).normal(size=(1000, 3))).astype(np.float32)
    labels = (t[:, 0] + 0.5 * t[:, 1] > 0).astype(np.int32)
    result = layer_pid(t, labels, n_classes=2, **options)
    expected = infojax.estimators.binned_mutual_information(t, labels, **options, base=2)
    assert abs(float(result.total) - float(expected)) <= 1e-5


def test_complexity_nan_when_independent():
    rng = np.random.default_rng(4)
    codes = np.array(list(itertools.product(range(3), repeat=2)) * 40)
    labels = np.tile([0, 1], len(codes) // 2)
    labels = np.concatenate([labels[: len(codes) // 2], 1 - labels[: len(codes) // 2]])
    # Every pattern appears equally often with each label: I(T; Y) = 0 exactly.
    codes = np.concatenate([codes[: len(codes) // 2]] * 2)
    order = rng.permutation(len(codes))
    t = (LOW + (codes + 0.5) * 2 / 3)[order].astype(np.float32)
    result = layer_pid(t, labels[order], n_classes=2, n_bins=3)
    assert abs(float(result.total)) <= 1e-6
    assert np.isnan(float(result.complexity))


@pytest.mark.parametrize("width", [3, 6])
def test_jit_equals_eager_and_vmap_equals_loop(width):
    rng = np.random.default_rng(width)
    t = np.tanh(rng.normal(size=(4, 600, width))).astype(np.float32)
    labels = (t[..., 0] > 0).astype(np.int32)

    def one(ti, yi):
        return layer_pid(ti, yi, n_classes=2, n_bins=6)

    looped = [one(t[s], labels[s]) for s in range(4)]
    jitted = jax.jit(one)(t[0], labels[0])
    batched = jax.vmap(one)(t, labels)
    for name in LayerPID._fields:
        np.testing.assert_allclose(getattr(jitted, name), getattr(looped[0], name), atol=1e-5)
        np.testing.assert_allclose(
            getattr(batched, name), [getattr(r, name) for r in looped], atol=1e-5
        )


@pytest.mark.float64
@pytest.mark.parametrize("dtype", [jnp.float32, jnp.float64])
@pytest.mark.parametrize("width", [1, 2, 3, 6])
def test_dtype_follows_input(dtype, width):
    t = jnp.asarray(np.tanh(np.random.default_rng(0).normal(size=(300, width))), dtype)
    labels = (t[:, 0] > 0).astype(jnp.int32)
    result = layer_pid(t, labels, n_classes=2)
    assert all(getattr(result, name).dtype == dtype for name in LayerPID._fields)


def test_float32_close_to_float64():
    t = np.tanh(np.random.default_rng(5).normal(size=(2000, 4)))
    labels = (t.sum(axis=1) > 0).astype(np.int32)
    single = layer_pid(t.astype(np.float32), labels, n_classes=2, n_bins=5)
    with jax.enable_x64(True):
        double = layer_pid(jnp.asarray(t, jnp.float64), labels, n_classes=2, n_bins=5)
        for name in LayerPID._fields:
            assert abs(float(getattr(single, name)) - float(getattr(double, name))) <= 1e-4


@pytest.mark.parametrize(
    ("t_shape", "labels", "options", "error", "match"),
    [
        ((10,), np.zeros(10, int), {}, ValueError, "`t`"),
        ((10, 2, 1), np.zeros(10, int), {}, ValueError, "`t`"),
        ((10, 0), np.zeros(10, int), {}, ValueError, "`t`"),
        ((10, 2), np.zeros((10, 1), int), {}, ValueError, "`labels`"),
        ((10, 2), np.zeros(9, int), {}, ValueError, "`labels`"),
        ((10, 2), np.zeros(10), {}, TypeError, "`labels`"),
        ((10, 2), np.full(10, 2), {}, ValueError, "`labels`"),
        ((10, 2), -np.ones(10, int), {}, ValueError, "`labels`"),
        ((10, 2), np.zeros(10, int), {"max_sources": 5}, ValueError, "`max_sources`"),
        ((10, 2), np.zeros(10, int), {"max_sources": 1}, ValueError, "`max_sources`"),
        ((10, 2), np.zeros(10, int), {"max_sources": 3.0}, TypeError, "`max_sources`"),
        ((10, 2), np.zeros(10, int), {"n_classes": 0}, ValueError, "`n_classes`"),
        ((10, 2), np.zeros(10, int), {"n_bins": 0}, ValueError, "`n_bins`"),
        ((10, 2), np.zeros(10, int), {"n_bins": 5, "bin_width": 0.1}, ValueError, "n_bins"),
        ((10, 2), np.zeros(10, int), {"value_range": (1.0, -1.0)}, ValueError, "value_range"),
    ],
)
def test_bad_inputs_name_the_argument(t_shape, labels, options, error, match):
    options = {"n_classes": 2, **options}
    with pytest.raises(error, match=match):
        layer_pid(np.zeros(t_shape, np.float32), labels, **options)


def test_nan_activations_rejected():
    t = np.zeros((10, 2), np.float32)
    t[3, 1] = np.nan
    with pytest.raises(ValueError, match="`t`"):
        layer_pid(t, np.zeros(10, int), n_classes=2)


# ------------------------------------------------------------------------ the report

PID_COLUMNS = (
    "pid_redundancy_bits",
    "pid_unique_bits",
    "pid_synergy_bits",
    "pid_complexity",
    "pid_total_bits",
    "o_information_bits",
)


def fake_pid_metrics(synergy_slope, *, seeds=5, layers=2, epochs=(0, 1, 3, 10, 30, 100)):
    """Metrics columns as read_metrics returns them: synergy = 0.2 + slope * epoch / 100
    plus seed noise of sd 0.01; the other columns are noise around a constant."""
    rng = np.random.default_rng(0)
    rows = [(e, s, layer) for e in epochs for s in range(seeds) for layer in range(1, layers + 1)]
    epoch, seed, layer = (np.array(column) for column in zip(*rows, strict=True))
    metrics = {"epoch": epoch, "seed": seed, "layer": layer}
    for column in PID_COLUMNS:
        metrics[column] = 0.3 + 0.01 * rng.normal(size=len(rows))
    metrics["pid_synergy_bits"] += synergy_slope * epoch / 100 - 0.1
    return metrics


def test_plot_pid_writes_png(tmp_path):
    from infojax.runs.information_plane._report_pid import plot_pid

    path = tmp_path / "pid.png"
    metrics = fake_pid_metrics(0.5, layers=5)
    metrics["pid_complexity"][metrics["layer"] == 5] = np.nan
    plot_pid(metrics, path, title="test")
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with pytest.raises(ValueError, match="`metrics`"):
        plot_pid({column: metrics[column][:0] for column in metrics}, path)


def test_summary_says_rose_for_rising_synergy():
    from infojax.runs.information_plane._report_pid import pid_summary

    text = "\n".join(pid_summary(fake_pid_metrics(0.5)))
    sentences = [line for line in text.splitlines() if line.startswith("Layer ")]
    assert len(sentences) == 2
    for sentence in sentences:
        assert sentence.split(":", 1)[1].strip().startswith("synergy (")
        assert " rose" in sentence
        assert "no clear change in redundancy, unique, complexity, O-information" in sentence
    row = next(line for line in text.splitlines() if line.startswith("| synergy (bits) |"))
    first, peak, at_epoch, last = (cell.strip() for cell in row.strip("|").split("|")[1:])
    assert abs(float(first.split()[0]) - 0.2) <= 0.02 and first.count("[") == 1
    assert abs(float(last.split()[0]) - 0.7) <= 0.02 and peak == last and at_epoch == "100"
    assert "### Layer 1" in text and "### Layer 2" in text


def test_summary_no_clear_change_for_noise():
    from infojax.runs.information_plane._report_pid import pid_summary

    lines = pid_summary(fake_pid_metrics(0.0))
    sentences = [line for line in lines if line.startswith("Layer ")]
    assert sentences and all("rose" not in s and "fell" not in s for s in sentences)
    assert all("no clear change in redundancy, unique, synergy" in s for s in sentences)


def test_summary_fell_one_seed_and_nan_complexity():
    from infojax.runs.information_plane._report_pid import pid_summary

    falling = fake_pid_metrics(-0.5)
    falling["pid_complexity"][:] = np.nan
    sentences = [line for line in pid_summary(falling) if line.startswith("Layer ")]
    assert all("synergy (" in s and " fell" in s and "complexity" not in s for s in sentences)
    single = fake_pid_metrics(0.5, seeds=1)
    # One seed: no interval, so no claim however large the change.
    assert all("rose" not in s for s in pid_summary(single) if s.startswith("Layer "))
    assert pid_summary({column: falling[column][:0] for column in falling}) == ["No PID rows."]
