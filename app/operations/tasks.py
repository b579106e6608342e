"""The scheduled backup: a huey periodic task, every day at KURA_BACKUP_AT (HH:MM, Japan time; default 03:00).

``KURA_BACKUP_AT=off`` declares no task.  Read from the environment at import time, as the queue
itself is: huey declares its periodic tasks before any application exists.
"""
import logging
import os
import re

from huey import crontab

from app.jobs.queue import huey, task_app


logger = logging.getLogger(__name__)

DEFAULT_TIME = '03:00'


def backup_schedule(value: str):
    """The crontab for a daily time in Japan (``HH:MM``), or None for ``off``.

    :raise RuntimeError: any other value, so that a misspelt setting stops the consumer instead of
        silently leaving the shop without backups
    """
    value = value.strip().lower()
    if value == 'off':
        return None
    match = re.fullmatch(r'([01]?\d|2[0-3]):([0-5]\d)', value)
    if not match:
        raise RuntimeError(f'KURA_BACKUP_AT must be a time in Japan as HH:MM, or off; not {value!r}')
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


SCHEDULE = backup_schedule(os.environ.get('KURA_BACKUP_AT') or DEFAULT_TIME)

if SCHEDULE is not None:
    scheduled_backup = huey.periodic_task(SCHEDULE, name='scheduled_backup')(run_backup)
