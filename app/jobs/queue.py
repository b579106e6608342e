"""The job queue: the huey instance the areas define their tasks on, and the application tasks run in.

The huey instance is made at import time: SQLite storage in the instance folder by default,
Redis when ``REDIS_URL`` is set (from the environment, not the Flask config: the consumer imports
this before any app exists).  It imports nothing of the areas: they import it (orders/jobs.py,
notifications/tasks.py), create_app imports those, and the consumer starts on ``app.worker.huey``,
which builds the application.
"""
import datetime as dt
import logging
import os
import time
from pathlib import Path

from huey import RedisHuey, SqliteHuey, crontab
from huey.api import PeriodicTask

from app.config import DEFAULT_INSTANCE, owner_only
from app.logs import name_job


logger = logging.getLogger('kura.job')


def make_huey():
    if os.environ.get('REDIS_URL'):
        return RedisHuey('kura', url=os.environ['REDIS_URL'])
    instance = Path(os.environ.get('KURA_INSTANCE_PATH') or DEFAULT_INSTANCE)
    owner_only(instance, folder=True)
    return SqliteHuey('kura', filename=str(instance / 'huey.db'))


huey = make_huey()

_app = None


def use_app(app) -> None:
    """The application tasks run in (the consumer's, made by app.worker; a test's)."""
    global _app
    _app = app


def task_app():
    if _app is None:
        raise RuntimeError('No application for background tasks: start the consumer on app.worker.huey')
    return _app


CONSUMER_HEARTBEAT_KEY = 'consumer-heartbeat'


def beat() -> None:
    """Say in huey's store (which every web process reads) that a consumer is alive now."""
    huey.put(CONSUMER_HEARTBEAT_KEY, time.time())


def consumer_last_beat() -> dt.datetime | None:
    """When a consumer last said it was alive; None if none ever did (or the store was flushed)."""
    stamp = huey.get(CONSUMER_HEARTBEAT_KEY, peek=True)
    return None if stamp is None else dt.datetime.fromtimestamp(stamp, dt.UTC)


@huey.periodic_task(crontab(minute='*'), name='consumer_heartbeat')
def consumer_heartbeat() -> None:
    # a periodic task runs only in a consumer whose scheduler and workers are alive: a stopped
    # consumer, or one stuck with every worker busy, stops beating (/readyz's "consumer" check)
    beat()


@huey.on_startup()
def _beat_at_start() -> None:
    beat()


_started: dict[str, float] = {}


@huey.pre_execute()
def _job_begins(task) -> None:
    # the task's id is the job's request id: on its log lines and its audit events
    name_job(task.id)
    _started[task.id] = time.perf_counter()


@huey.post_execute()
def _job_ends(task, _value, exc) -> None:
    elapsed = time.perf_counter() - _started.pop(task.id, time.perf_counter())
    # the periodic tasks' lines (heartbeat, sweeps, several a minute) at DEBUG, unless one failed:
    # they would drown the jobs people start (and the nightly backup logs what it wrote itself)
    level = logging.ERROR if exc is not None else logging.DEBUG if isinstance(task, PeriodicTask) else logging.INFO
    logger.log(level, 'job', extra={'fields': {
        'task': task.name, 'outcome': 'failed' if exc is not None else 'done',
        'error': exc.__class__.__name__ if exc is not None else None,
        'duration_ms': round(elapsed * 1000, 1), 'retries_left': task.retries}})
    name_job(None)
