"""The stock-sync task: every KURA_CHANNEL_STOCK_EVERY minutes (default 5, ``off`` for none), a stock file
for each mall whose quantities changed since its last file; nothing when nothing changed.

Read from the environment at import time, as the queue itself is: huey declares its periodic
tasks before any application exists.
"""
import logging
import os

from huey import crontab

from app.jobs.queue import huey, task_app


logger = logging.getLogger(__name__)

DEFAULT_EVERY = '5'


def sync_schedule(value: str):
    """The crontab for every `value` minutes (1 to 60), or None for ``off``.

    :raise RuntimeError: any other value, so that a misspelt setting stops the consumer instead of
        silently leaving the malls' quantities behind
    """
    value = value.strip().lower()
    if value == 'off':
        return None
    if not (value.isascii() and value.isdigit()) or not 1 <= int(value) <= 60:
        raise RuntimeError(f'KURA_CHANNEL_STOCK_EVERY must be minutes from 1 to 60, or off; not {value!r}')
    return crontab(minute=f'*/{int(value)}')


def run_stock_sync() -> dict[str, int]:
    """The files of the channels whose quantities changed, each committed with what it sent."""
    from app.channels.services import make_changed_files
    from app.extensions import db

    with task_app().app_context():
        made = make_changed_files()
        db.session.commit()
    if made:
        logger.info('stock files made: %s', ', '.join(f'{c} {n} rows' for c, n in made.items()))
    return made


#: the same run on demand (its result, the rows made per channel, is kept for whoever waits on it)
stock_sync_now = huey.task(name='channel_stock_sync_now')(run_stock_sync)

SCHEDULE = sync_schedule(os.environ.get('KURA_CHANNEL_STOCK_EVERY') or DEFAULT_EVERY)

if SCHEDULE is not None:
    channel_stock_sync = huey.periodic_task(SCHEDULE, name='channel_stock_sync')(run_stock_sync)
