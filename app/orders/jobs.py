"""Order uploads as background jobs: the upload is kept in the database, a huey task previews or imports it.

A large upload is previewed by a job (its reading and checking would keep a web worker busy), and
a large import is written by one; the job's page shows the progress, then the preview or the result.
"""
import datetime as dt
import logging
import secrets
import threading
import traceback

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from huey import crontab

from app.database import utcnow
from app.errors import UserError
from app.extensions import db
from app.jobs.models import Job, UploadedFile
from app.jobs.queue import huey, task_app
from app.orders.importing import Preview, import_order_files, preview_order_files
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
    """(orders written, orders to write) while an import runs, (orders checked, orders read) while a preview
    runs; kept in huey's store, see app.jobs."""
    return huey.get(progress_key(job_id), peek=True)


#: how often a running job says it is alive, and after how long without a word its worker is taken for dead
HEARTBEAT_SECONDS = 5
STALLED_AFTER = dt.timedelta(seconds=60)
#: an upload no job still needs is deleted after this long (a failed import's file stays this long, to retry)
UPLOADS_KEPT = dt.timedelta(days=7)


def heartbeat_key(job_id: int) -> str:
    return f'job-heartbeat-{job_id}'


class Heartbeat:
    """While a job runs, a thread of its worker writes the time to huey's store every few seconds.

    The thread dies with its process: a worker killed (kill -9, a restart, the machine down) stops
    beating, and the job is then seen as stalled instead of "running" for ever.
    """

    def __init__(self, job_id: int):
        self.key, self._stop = heartbeat_key(job_id), threading.Event()
        self._thread = threading.Thread(target=self._beat, name=f'heartbeat-{job_id}', daemon=True)

    def _beat(self) -> None:
        while not self._stop.wait(HEARTBEAT_SECONDS):
            huey.put(self.key, utcnow().timestamp())

    def __enter__(self):
        huey.put(self.key, utcnow().timestamp())   # the first at once: the job is alive as it starts
        self._thread.start()
        return self

    def __exit__(self, *_exc):
        self._stop.set()
        self._thread.join()
        huey.get(self.key)   # reading without peek removes it


def stalled(job: Job, now: dt.datetime | None = None) -> bool:
    """A job marked running whose worker has not said it is alive for STALLED_AFTER: it was killed."""
    if job.status != 'running':
        return False
    now = now or utcnow()
    beat = huey.get(heartbeat_key(job.id), peek=True)
    last = dt.datetime.fromtimestamp(beat, dt.UTC) if beat else job.started_at
    return last is None or now - last > STALLED_AFTER


#: the kinds of job of an order upload
PREVIEW, IMPORT = 'order_preview', 'order_import'


def runs_in_background(files: list[tuple[str, bytes]]) -> bool:
    """An import of more lines than IMPORT_BACKGROUND_LINES is written by the consumer."""
    return sum(data.count(b'\n') for _, data in files) > current_app.config['IMPORT_BACKGROUND_LINES']


def previews_in_background(files: list[tuple[str, bytes]]) -> bool:
    """An upload of more bytes than IMPORT_PREVIEW_BACKGROUND_BYTES is read and checked by the consumer."""
    return sum(len(data) for _, data in files) > current_app.config['IMPORT_PREVIEW_BACKGROUND_BYTES']


STALLED_MESSAGE = _l('The background worker stopped while this import ran (it was killed or restarted): '
                     'nothing of it was saved. Retry it.')


def fail_stalled_jobs() -> int:
    """Mark the jobs whose worker died as failed, and delete the uploads no job needs any more; how many failed."""
    now = utcnow()
    failed = 0
    for job in db.session.scalars(sa.select(Job).where(Job.status == 'running')):
        if stalled(job, now):
            job.status, job.finished_at, job.error = 'failed', now, str(STALLED_MESSAGE)
            failed += 1
    # a preview lists orders with names and addresses: kept as long as its upload, not for ever
    db.session.execute(sa.update(Job).where(Job.kind == PREVIEW, Job.finished_at < now - UPLOADS_KEPT,
                                            Job.result.is_not(None)).values(result=None))
    waiting = [job.params.get('upload') for job in db.session.scalars(
        sa.select(Job).where(Job.status.in_(('queued', 'running'))))]
    db.session.execute(sa.delete(UploadedFile).where(UploadedFile.created_at < now - UPLOADS_KEPT,
                                                     UploadedFile.token.not_in([t for t in waiting if t])))
    db.session.flush()
    return failed


def retry(job: Job, *, actor) -> Job:
    """A failed (or stalled) import or preview again, as a new job on the same upload; the failed one stays."""
    if not (job.status == 'failed' or stalled(job)):
        raise UserError(_l('Only a failed import can be retried.'))
    if not uploaded_files(job.params.get('upload', '')):
        raise UserError(_l('The files of this import are no longer kept: upload them again.'))
    if job.status == 'running':
        job.status, job.finished_at, job.error = 'failed', utcnow(), str(STALLED_MESSAGE)
    return queue_job(job.kind, job.params['upload'], job.params['channel'], actor=actor)


@huey.periodic_task(crontab(minute='*'), name='fail_stalled_jobs')
def sweep_jobs() -> None:
    with task_app().app_context():
        failed = fail_stalled_jobs()
        db.session.commit()
        if failed:
            logger.warning('%d import jobs whose worker stopped were marked failed', failed)


def queue_job(kind: str, token: str, channel: str, *, actor) -> Job:
    """Create the job row (PREVIEW or IMPORT of the upload `token`); enqueue() it once the row is committed."""
    job = Job(kind=kind, status='queued', user_id=actor and actor.id, params={'upload': token, 'channel': channel})
    db.session.add(job)
    db.session.flush()
    return job


def queue_import(token: str, channel: str, *, actor) -> Job:
    return queue_job(IMPORT, token, channel, actor=actor)


def enqueue(job: Job) -> None:
    """Call after the commit that made the job row visible to the consumer."""
    (run_order_preview if job.kind == PREVIEW else run_order_import)(job.id)


def _started(job_id: int) -> Job | None:
    """The queued job, marked running (committed); None when it ran already: a retried or duplicated
    message never runs a job twice."""
    job = db.session.get(Job, job_id)
    if job is None or job.status != 'queued':
        return None
    job.status, job.started_at = 'running', utcnow()
    db.session.commit()
    return job


@huey.task()
def run_order_preview(job_id: int) -> None:
    with task_app().app_context():
        run_preview_job(job_id)


def run_preview_job(job_id: int) -> None:
    """Read and check the job's upload; the job's result is the preview (nothing else is written)."""
    job = _started(job_id)
    if job is None:
        return
    actor, params = job.user, job.params
    with force_locale(actor.locale if actor else current_app.config['BABEL_DEFAULT_LOCALE']), Heartbeat(job_id):
        try:
            files = uploaded_files(params['upload'])
            summary = preview_order_files(params['channel'], files,
                                          progress=lambda done, total: huey.put(progress_key(job_id), (done, total)))
            result = {**Preview.of(summary).as_dict(), 'background': runs_in_background(files)}
            del summary, files
            # the preview only read: this short write is the job's only one
            job = db.session.get(Job, job_id)
            job.status, job.finished_at, job.result = 'done', utcnow(), result
            db.session.commit()
        except FileRefused as exc:
            db.session.rollback()
            _fail(job_id, str(exc))
        except Exception:
            db.session.rollback()
            logger.exception('Order preview job %d failed', job_id)
            _fail(job_id, traceback.format_exc(limit=3))
        finally:
            huey.get(progress_key(job_id))


@huey.task()
def run_order_import(job_id: int) -> None:
    with task_app().app_context():
        run_import_job(job_id)


def run_import_job(job_id: int) -> None:
    """Import the job's upload in one transaction; the job row says how it ended."""
    job = _started(job_id)
    if job is None:
        return
    actor = job.user
    # the problems and a refusal are written in the language of the clerk who queued the import
    with force_locale(actor.locale if actor else current_app.config['BABEL_DEFAULT_LOCALE']), Heartbeat(job_id):
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
