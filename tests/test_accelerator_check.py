"""experiments/accelerator_check.py on CPU, with small sizes."""

import pytest

from experiments import accelerator_check


def test_table_has_the_device_times_and_ratios():
    rows = [
        {
            "check": "KSG (k = 3), n = 200",
            "batched": "vmap x16",
            "batched_seconds": 0.5,
            "looped": "loop x16",
            "looped_seconds": 2.0,
        }
    ]
    lines = accelerator_check.format_table("cpu (cpu, 1 device(s))", rows).splitlines()
    assert lines[0].startswith("device: cpu (cpu, 1 device(s)); load average ")
    assert "ratio" in lines[1]
    assert lines[3].split("|")[-1].strip() == "4.0x"


def test_batched_checks_time_both_ways():
    rows = [
        accelerator_check.neural_bounds(critics=2, dim=2, steps=5, samples=2000, repeats=1),
        accelerator_check.ksg_estimates(batch=4, n=50, repeats=1),
    ]
    for row in rows:
        assert row["batched_seconds"] > 0 and row["looped_seconds"] > 0


# The whole script (40 s on 2 cores, most of it the information-plane check): out of
# the default run to keep CI under its limit; the batched checks above cover its parts.
@pytest.mark.slow
def test_whole_check_runs_on_cpu(capsys):
    rows = accelerator_check.main(["--small", "--epochs=2"])
    assert len(rows) == 3
    output = capsys.readouterr().out
    assert output.startswith("device: ")
    assert "information plane, 2 epochs" in output
