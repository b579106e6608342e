"""The nightly tasks: huey periodic tasks at a time of day in Japan (HH:MM), each ``off`` to declare none.

- the scheduled backup, at KURA_BACKUP_AT (default 03:00);
- the personal-data task (redaction after each channel's retention, pruning the access log), at
  KURA_PRIVACY_AT (default 02:30, so that the backup after it holds no data already due to go).

Read from the environment at import time, as the queue itself is: huey declares its periodic
tasks before any application exists.
"""
import logging
import os
import re

from huey import crontab

from app.jobs.queue import huey, task_app


logger = logging.getLogger(__name__)

DEFAULT_TIME = '03:00'
DEFAULT_PRIVACY_TIME = '02:30'


def backup_schedule(value: str, setting: str = 'KURA_BACKUP_AT'):
    """The crontab for a daily time in Japan (``HH:MM``), or None for ``off``.

    :raise RuntimeError: any other value, so that a misspelt setting stops the consumer instead of
        silently leaving the shop without backups (or keeping personal data past its time)
    """
    value = value.strip().lower()
    if value == 'off':
        return None
    match = re.fullmatch(r'([01]?\d|2[0-3]):([0-5]\d)', value)
    if not match:
        raise RuntimeError(f'{setting} must be a time in Japan as HH:MM, or off; not {value!r}')
    hour, minute = int(match[1]), int(match[2])
    # huey runs its crontabs on UTC (utc=True, its default); Japan keeps UTC+9 all year
    return crontab(minute=str(minute), hour=str((hour - 9) % 24))


def run_backup() -> None:
    """One backup into KURA_BACKUP_DIR with the retention rule, as `flask backup` makes it."""
    from flask import current_app

    from app.operations.backup import create_backup

    with task_app().app_context():
        config = current_app.config
        result = create_backup(config['BACKUP_DIR'], keep=config['BACKUP_KEEP'])
    logger.info('scheduled backup written to %s; %d older ones deleted', result.path, len(result.deleted))


def redact_now(now=None) -> tuple[int, int]:
    """In the current application: redact the orders past their channel's retention, a committed chunk at a
    time, and prune the access log; as `flask redact` and the nightly task do.

    :return: how many orders were redacted and how many access log rows deleted
    """
    from app.extensions import db
    from app.privacy.services import prune_access_log, redact_due

    redacted = 0
    while done := redact_due(now):
        db.session.commit()
        redacted += done
    pruned = prune_access_log(now)
    db.session.commit()
    logger.info('personal data: %d orders redacted, %d access log rows pruned', redacted, pruned)
    return redacted, pruned


def run_privacy(now=None) -> tuple[int, int]:
    """The nightly personal-data task, in the consumer's application (see redact_now)."""
    with task_app().app_context():
        return redact_now(now)


SCHEDULE = backup_schedule(os.environ.get('KURA_BACKUP_AT') or DEFAULT_TIME)
PRIVACY_SCHEDULE = backup_schedule(os.environ.get('KURA_PRIVACY_AT') or DEFAULT_PRIVACY_TIME, 'KURA_PRIVACY_AT')

if SCHEDULE is not None:
    scheduled_backup = huey.periodic_task(SCHEDULE, name='scheduled_backup')(run_backup)
if PRIVACY_SCHEDULE is not None:
    nightly_privacy = huey.periodic_task(PRIVACY_SCHEDULE, name='nightly_privacy')(run_privacy)
