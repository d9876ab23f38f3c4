"""A dbt process started before its build is known (the worker's DBT_WARM_START).

    <dbt's python> dbt_warm.py

Importing dbt and its PostgreSQL adapter takes about 3 s of CPU, which every
`dbt build` paid at its start. The worker starts this process ahead, while it
is idle; the process imports dbt, says `relayboard-dbt-warm: ready` on stdout
and waits for one line on stdin: the build, as JSON

    {"bin": ..., "args": [...], "cwd": ..., "env": {...}, "title": ...}

It then takes the build's environment and folder, names itself after the build
(setproctitle: `ps` and the worker's leftover check read the run's folder in
its command line, as for a dbt started directly) and runs dbt's own command
line entry point with the build's arguments, exactly as the `dbt` script would:
same output, same exit code. One process runs one build; an empty stdin (the
worker went away) ends it without running anything.
"""

import json
import logging
import os
import sys

PREFIX = "relayboard-dbt-warm: "


def main() -> int:
    try:
        from setproctitle import setproctitle
    except ImportError:
        print(
            PREFIX + "unavailable: the setproctitle package is not installed beside dbt "
            "(pip install -r dbt/requirements.txt -c dbt/constraints.txt, or set DBT_WARM_START=false)",
            flush=True,
        )
        return 3
    from dbt.cli.main import cli

    try:
        import dbt.adapters.postgres  # noqa: F401  (the adapter every build loads)
    except ImportError:
        pass
    print(PREFIX + "ready", flush=True)

    line = sys.stdin.readline()
    if not line.strip():
        return 0
    job = json.loads(line)
    # Before the environment changes: setproctitle writes over the memory of the arguments and environment the process started with.
    setproctitle(job["title"])
    os.environ.clear()
    os.environ.update(job["env"])
    os.chdir(job["cwd"])
    sys.argv = [job["bin"], *job["args"]]
    # click's standalone mode exits with dbt's code (0 ok, 1 failed nodes, 2 an error), as the dbt script does.
    try:
        cli()
        code = 0
    except SystemExit as done:
        code = done.code
    if code is None:
        code = 0
    elif not isinstance(code, int):
        print(code, file=sys.stderr)
        code = 1
    # dbt has written its artifacts and closed its connections. Leave without Python's
    # teardown of dbt's modules and the parsed project (about 0.3 s of every build's
    # wall time, docs/benchmarks.md); the logs are flushed first, and multiprocessing's
    # own exit step releases the locks dbt made (else its resource tracker warns of
    # "leaked semaphore objects" on stderr).
    try:
        from multiprocessing import util as multiprocessing_util

        multiprocessing_util._exit_function()
    except Exception:  # noqa: BLE001  (a Python without that step: the tracker releases them anyway)
        pass
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


if __name__ == "__main__":
    sys.exit(main())
