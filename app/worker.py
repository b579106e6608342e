"""The background-job consumer's entry: ``huey_consumer app.worker.huey``.

Building the application here (not in app.jobs) keeps the job queue free of the areas: the app
imports the modules that define tasks, so the consumer knows every task before it takes one.
"""
import logging

from app import create_app
from app.jobs.queue import huey, use_app


use_app(create_app())


@huey.on_startup()
def _one_log() -> None:
    """Leave huey's lines to Kura's handler (app/logs.py: JSON, masked, rotated) alone.

    huey_consumer gives the ``huey`` logger a handler of its own after loading this module (standard
    error, or ``--logfile`` without rotation), which would write each of its lines a second time.
    """
    if any(getattr(handler, 'kura', False) for handler in logging.getLogger().handlers):
        huey_logger = logging.getLogger('huey')
        for handler in list(huey_logger.handlers):
            huey_logger.removeHandler(handler)


__all__ = ['huey']
