"""The background-job consumer's entry: ``huey_consumer app.worker.huey``.

Building the application here (not in app.jobs) keeps the job queue free of the areas: the app
imports the modules that define tasks, so the consumer knows every task before it takes one.
"""
from app import create_app
from app.jobs.queue import huey, use_app


use_app(create_app())

__all__ = ['huey']
