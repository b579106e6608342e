"""gunicorn's settings, read from the working directory: /metrics adds up the counters of every worker.

Each worker is a process with counters of its own, so prometheus_client keeps them in files in
PROMETHEUS_MULTIPROC_DIR (by default ``metrics/`` in the instance folder), whose counter files
are deleted as gunicorn starts (docs/operations.md#monitoring).  The variable must be set before
a worker imports prometheus_client: here, in the master, which the workers inherit it from.
"""
import os
from pathlib import Path


if not os.environ.get('PROMETHEUS_MULTIPROC_DIR'):
    _instance = Path(os.environ.get('KURA_INSTANCE_PATH') or Path(__file__).resolve().parent / 'instance')
    os.environ['PROMETHEUS_MULTIPROC_DIR'] = str(_instance / 'metrics')


def on_starting(server):
    # the files of an earlier run would be added to this run's counters; only prometheus_client's
    # own files go, in case the variable names a folder that holds anything else
    directory = Path(os.environ['PROMETHEUS_MULTIPROC_DIR'])
    directory.mkdir(parents=True, exist_ok=True)
    for kind in ('counter', 'gauge', 'histogram', 'summary'):
        for path in directory.glob(f'{kind}_*.db'):
            path.unlink(missing_ok=True)


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
