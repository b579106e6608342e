"""Order imports as background jobs: the upload is kept in the database, a huey task imports it."""
import datetime as dt
import logging
import secrets
import traceback

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale

from app.database import utcnow
from app.extensions import db
from app.jobs.models import Job, UploadedFile
from app.jobs.queue import huey, task_app
from app.orders.importing import import_order_files
from importers.base import FileRefused


logger = logging.getLogger(__name__)


def store_upload(files: list[tuple[str, bytes]], *, actor) -> str:
    """Keep uploaded files until they are imported; returns the token that names them.

    Uploads whose preview was never confirmed are dropped after a day.
    """
    db.session.execute(sa.delete(UploadedFile).where(UploadedFile.created_at < utcnow() - dt.timedelta(days=1)))
    token = secrets.token_urlsafe(16)
    for filename, content in files:
        db.session.add(UploadedFile(token=token, filename=filename, content=content, user_id=actor and actor.id))
    db.session.flush()
    return token


def uploaded_files(token: str) -> list[tuple[str, bytes]]:
    return [(f.filename, f.content) for f in db.session.scalars(
        sa.select(UploadedFile).where(UploadedFile.token == token).order_by(UploadedFile.id))]


def discard_upload(token: str) -> None:
    db.session.execute(sa.delete(UploadedFile).where(UploadedFile.token == token))


def progress_key(job_id: int) -> str:
    return f'job-progress-{job_id}'


def job_progress(job_id: int) -> tuple[int, int] | None:
    """(orders written, orders to write) while the job runs; kept in huey's store, see app.jobs."""
    return huey.get(progress_key(job_id), peek=True)


def queue_import(token: str, channel: str, *, actor) -> Job:
    """Create the job row and hand the import to the consumer once the row is committed."""
    job = Job(kind='order_import', status='queued', user_id=actor and actor.id,
              params={'upload': token, 'channel': channel})
    db.session.add(job)
    db.session.flush()
    return job


def enqueue(job: Job) -> None:
    """Call after the commit that made the job row visible to the consumer."""
    run_order_import(job.id)


@huey.task()
def run_order_import(job_id: int) -> None:
    with task_app().app_context():
        run_import_job(job_id)


def run_import_job(job_id: int) -> None:
    """Import the job's upload in one transaction; the job row says how it ended."""
    job = db.session.get(Job, job_id)
    if job is None or job.status != 'queued':
        return  # already run (a retried or duplicated message): never import twice
    job.status, job.started_at = 'running', utcnow()
    db.session.commit()
    actor = job.user
    # the problems and a refusal are written in the language of the clerk who queued the import
    with force_locale(actor.locale if actor else current_app.config['BABEL_DEFAULT_LOCALE']):
        _run_import(job_id, job.params, actor)


def _run_import(job_id: int, params: dict, actor) -> None:
    try:
        files = uploaded_files(params['upload'])
        summary = import_order_files(params['channel'], files, actor=actor,
                                     progress=lambda done, total: huey.put(progress_key(job_id), (done, total)))
        discard_upload(params['upload'])
        job = db.session.get(Job, job_id)
        job.status, job.finished_at = 'done', utcnow()
        job.result = {**summary.as_dict(), 'batch_id': summary.batch_id, 'rejected_orders': summary.rejected}
        db.session.commit()
    except FileRefused as exc:
        db.session.rollback()
        _fail(job_id, str(exc))
    except Exception:
        db.session.rollback()
        logger.exception('Order import job %d failed', job_id)
        _fail(job_id, traceback.format_exc(limit=3))
    finally:
        huey.get(progress_key(job_id))  # reading without peek removes it


def _fail(job_id: int, message: str) -> None:
    job = db.session.get(Job, job_id)
    job.status, job.finished_at, job.error = 'failed', utcnow(), message
    db.session.commit()
