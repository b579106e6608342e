"""The job queue: the huey instance the areas define their tasks on, and the application tasks run in.

The huey instance is made at import time: SQLite storage in the instance folder by default,
Redis when ``REDIS_URL`` is set (from the environment, not the Flask config: the consumer imports
this before any app exists).  It imports nothing of the areas: they import it (orders/jobs.py,
notifications/tasks.py), create_app imports those, and the consumer starts on ``app.worker.huey``,
which builds the application.
"""
import os
from pathlib import Path

from huey import RedisHuey, SqliteHuey

from app.config import DEFAULT_INSTANCE, owner_only


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
