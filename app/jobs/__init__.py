"""Work that outlives a request: huey tasks, and Job rows that screens poll for progress.

The huey instance is made at import time (the consumer imports this module): SQLite storage in
the instance folder by default, Redis when ``REDIS_URL`` is set.  Progress is kept in huey's
key-value store rather than in the database, because on SQLite the running import holds the
database's write lock until it commits.
"""
import os
from pathlib import Path

from huey import RedisHuey, SqliteHuey

from app.config import DEFAULT_INSTANCE


def make_huey():
    if os.environ.get('REDIS_URL'):
        return RedisHuey('kura', url=os.environ['REDIS_URL'])
    instance = Path(os.environ.get('KURA_INSTANCE_PATH') or DEFAULT_INSTANCE)
    instance.mkdir(parents=True, exist_ok=True)
    return SqliteHuey('kura', filename=str(instance / 'huey.db'))


huey = make_huey()

_app = None


def use_app(app) -> None:
    """The application tasks run in; a consumer process makes its own from the environment."""
    global _app
    _app = app


def task_app():
    global _app
    if _app is None:
        from app import create_app

        _app = create_app()
    return _app


def _register_tasks():
    """Import the modules that define tasks, so a consumer started on ``app.jobs.huey`` knows them."""
    from app.notifications import tasks as _mail_tasks  # noqa: F401
    from app.operations import tasks as _backup_tasks  # noqa: F401
    from app.orders import jobs  # noqa: F401


_register_tasks()
