"""Starts one run as several processes on this host, joined by ``jax.distributed``.

    python -m experiments.launch --processes 2 -- --config=configs/information_plane/tanh.py

runs ``python -m experiments.main`` with the arguments after ``--`` in ``--processes``
processes, adding the ``--config.distributed.*`` fields (a free port on 127.0.0.1 for
the coordinator, the process count, each process's id). It is for trying a
multi-process run and for the tests; on a cluster, start ``experiments.main`` once per
host or task yourself (README, "Many hosts").

It waits for every process. When one fails, the others normally stop by themselves
within ``distributed.heartbeat_timeout_seconds``; those still running after
``--grace-seconds`` more are terminated. The exit status is 0 when all succeed, else
the first failure's (128 + the signal number for a process killed by a signal).
Running the same command again resumes the run.
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def process_commands(arguments: Sequence[str], processes: int, port: int) -> list[list[str]]:
    """The command line of each process: ``experiments.main`` with its distributed fields."""
    return [
        [
            sys.executable,
            "-m",
            "experiments.main",
            *arguments,
            "--config.distributed.enabled=True",
            f"--config.distributed.coordinator_address=127.0.0.1:{port}",
            f"--config.distributed.num_processes={processes}",
            f"--config.distributed.process_id={index}",
        ]
        for index in range(processes)
    ]


def _status(returncode: int) -> int:
    return 128 - returncode if returncode < 0 else returncode


def launch(
    arguments: Sequence[str], *, processes: int, port: int | None = None, grace_seconds: float = 90
) -> int:
    """Runs the processes and waits for them; returns the launcher's exit status."""
    port = free_port() if port is None else port
    children = [
        subprocess.Popen(command) for command in process_commands(arguments, processes, port)
    ]
    failure: tuple[int, int] | None = None
    deadline = None
    try:
        while True:
            # Every child is polled on every round (a returncode is only set by a poll).
            codes = [child.poll() for child in children]
            if all(code is not None for code in codes):
                break
            if failure is None:
                failure = next(
                    ((index, code) for index, code in enumerate(codes) if code not in (None, 0)),
                    None,
                )
                if failure is not None:
                    print(
                        f"launch: process {failure[0]} exited with status "
                        f"{_status(failure[1])}; the others stop within the heartbeat timeout "
                        f"(terminated after {grace_seconds:g} s).",
                        file=sys.stderr,
                        flush=True,
                    )
                    deadline = time.monotonic() + grace_seconds
            if deadline is not None and time.monotonic() > deadline:
                _terminate(children)
            time.sleep(0.2)
    except KeyboardInterrupt:
        # The terminal sent Ctrl-C to every process: they stop at a chunk boundary.
        for child in children:
            child.wait()
    finally:
        _terminate(children)
    codes = [child.returncode for child in children]
    if failure is None:
        failure = next(((index, code) for index, code in enumerate(codes) if code != 0), (None, 0))
    return _status(failure[1])


def _terminate(children: Sequence[subprocess.Popen]) -> None:
    running = [child for child in children if child.poll() is None]
    for child in running:
        child.send_signal(signal.SIGTERM)
    for child in running:
        try:
            child.wait(timeout=10)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m experiments.launch",
        description="Runs experiments.main as several processes joined by jax.distributed.",
        usage="%(prog)s --processes N [--port P] [--grace-seconds S] -- MAIN_ARGUMENTS...",
    )
    parser.add_argument("--processes", type=int, required=True, help="how many processes")
    parser.add_argument("--port", type=int, default=None, help="coordinator port (default: free)")
    parser.add_argument(
        "--grace-seconds",
        type=float,
        default=90,
        help="after a process fails, terminate the others still running after this long",
    )
    parser.add_argument("arguments", nargs=argparse.REMAINDER, help="arguments of experiments.main")
    options = parser.parse_args(argv)
    if options.processes < 1:
        parser.error(f"--processes must be at least 1, got {options.processes}")
    arguments = options.arguments
    if arguments[:1] == ["--"]:
        arguments = arguments[1:]
    return launch(
        arguments,
        processes=options.processes,
        port=options.port,
        grace_seconds=options.grace_seconds,
    )


if __name__ == "__main__":
    sys.exit(main())
