"""What monitoring reads: the readiness checks of /readyz and the database's figures for /metrics.

Each area reports through its own queries; this module only puts them together and grades them
against the thresholds of the settings (READY_*, docs/operations.md#monitoring).
"""
import dataclasses
import datetime as dt
import logging
import shutil

import sqlalchemy as sa
from flask import current_app

from app.database import database_revisions, schema_heads, utcnow
from app.extensions import db
from app.fulfilment import queries as fulfilment
from app.jobs.models import Job
from app.jobs.queue import consumer_last_beat
from app.notifications import queries as notifications
from app.orders import queries as orders


logger = logging.getLogger(__name__)

OK, WARNING, FAILING = 'ok', 'warning', 'failing'


@dataclasses.dataclass
class Check:
    status: str
    value: object
    #: what the value is, and when it turns to warning and failing
    detail: str = ''

    def as_dict(self) -> dict:
        return {'status': self.status, 'value': self.value, 'detail': self.detail}


def grade(value: float, warn: float, fail: float) -> str:
    """ok below `warn`, warning from `warn`, failing from `fail` (a value that is worse the higher it is)."""
    return FAILING if value >= fail else WARNING if value >= warn else OK


def check_database() -> Check:
    db.session.execute(sa.text('SELECT 1'))
    return Check(OK, 'reachable')


def check_migrations() -> Check:
    current, expected = database_revisions(db.session.connection()), schema_heads()
    if current != expected:
        return Check(FAILING, sorted(current), f'expected {", ".join(sorted(expected))}: run flask db upgrade')
    return Check(OK, sorted(current))


def check_consumer(now: dt.datetime) -> Check:
    config = current_app.config
    warn, fail = config['READY_CONSUMER_WARN_SECONDS'], config['READY_CONSUMER_FAIL_SECONDS']
    detail = f'seconds since the job consumer last beat (warning from {warn}, failing from {fail})'
    last = consumer_last_beat()
    if last is None:
        return Check(FAILING, None, 'no job consumer has ever beaten: is huey_consumer app.worker.huey running?')
    age = max(0.0, round((now - last).total_seconds(), 1))
    return Check(grade(age, warn, fail), age, detail)


def check_outbox_backlog() -> Check:
    config = current_app.config
    warn, fail = config['READY_OUTBOX_WARN'], config['READY_OUTBOX_FAIL']
    counts = notifications.status_counts()
    waiting = counts.get('queued', 0) + counts.get('sending', 0)
    return Check(grade(waiting, warn, fail), waiting,
                 f'mails waiting to be sent (warning from {warn}, failing from {fail})')


def check_outbox_oldest(now: dt.datetime) -> Check:
    config = current_app.config
    warn, fail = config['READY_OUTBOX_AGE_WARN_MINUTES'], config['READY_OUTBOX_AGE_FAIL_MINUTES']
    detail = f'minutes the oldest unsent mail has waited (warning from {warn}, failing from {fail})'
    oldest = notifications.oldest_unsent_at()
    if oldest is None:
        return Check(OK, 0, detail)
    minutes = max(0.0, round((now - oldest).total_seconds() / 60, 1))
    return Check(grade(minutes, warn, fail), minutes, detail)


def check_stuck_jobs(now: dt.datetime) -> Check:
    minutes = current_app.config['READY_JOB_QUEUED_MINUTES']
    stuck = orders.stuck_import_jobs(now - dt.timedelta(minutes=minutes))
    return Check(FAILING if stuck else OK, stuck,
                 f'jobs running without a live worker, or queued longer than {minutes} minutes')


def check_disk() -> Check:
    config = current_app.config
    warn, fail = config['READY_DISK_WARN_MB'], config['READY_DISK_FAIL_MB']
    free = shutil.disk_usage(config['INSTANCE_PATH']).free // (1024 * 1024)
    status = FAILING if free < fail else WARNING if free < warn else OK
    return Check(status, free, f'MB free in the instance folder (warning below {warn}, failing below {fail})')


def readiness() -> dict[str, Check]:
    """Every check by name; one that cannot be made (the database or the queue down) is failing."""
    now = utcnow()
    checks = {
        'database': check_database,
        'migrations': check_migrations,
        'consumer': lambda: check_consumer(now),
        'outbox_backlog': check_outbox_backlog,
        'outbox_oldest_unsent': lambda: check_outbox_oldest(now),
        'stuck_jobs': lambda: check_stuck_jobs(now),
        'disk': check_disk,
    }
    results = {}
    for name, check in checks.items():
        try:
            results[name] = check()
        except Exception as exc:  # a check that cannot be made is the answer itself
            logger.warning('readiness check %s could not be made: %s', name, exc.__class__.__name__)
            db.session.rollback()
            results[name] = Check(FAILING, None, f'could not be checked: {exc.__class__.__name__}')
    return results


def figures() -> dict:
    """The database's counts for /metrics: orders, jobs, stuck jobs, the outbox and scans."""
    now = utcnow()
    queued_before = now - dt.timedelta(minutes=current_app.config['READY_JOB_QUEUED_MINUTES'])
    oldest = notifications.oldest_unsent_at()
    jobs = db.session.execute(sa.select(Job.kind, Job.status, sa.func.count()).group_by(Job.kind, Job.status)).all()
    return {
        'orders': orders.status_counts(),
        'jobs': {(kind, status): n for kind, status, n in jobs},
        'stuck_jobs': orders.stuck_import_jobs(queued_before),
        'outbox': notifications.status_counts(),
        'outbox_oldest_seconds': None if oldest is None else max(0.0, (now - oldest).total_seconds()),
        'scans': fulfilment.scan_counts(),
    }
