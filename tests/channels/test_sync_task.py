"""The stock-sync task: run by the real huey consumer, every five minutes by default, only when something changed."""
import datetime as dt
import time

import pytest
import sqlalchemy as sa

from app.channels.models import ChannelStockFile
from app.channels.services import ListingValues, save_listing
from app.channels.tasks import SCHEDULE, channel_stock_sync, stock_sync_now, sync_schedule
from app.extensions import db


def files_made() -> list[tuple]:
    """(channel, rows, made by, content) of each file made, read in a transaction ended at once: on SQLite an
    open one would hold the lock the consumer needs."""
    db.session.rollback()
    made = db.session.execute(sa.select(ChannelStockFile.channel, ChannelStockFile.rows, ChannelStockFile.made_by_id,
                                        ChannelStockFile.content).order_by(ChannelStockFile.id)).all()
    db.session.rollback()
    return made


def wait_for(predicate, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not predicate():
        time.sleep(0.05)
    return predicate()


def test_the_consumer_makes_a_file_for_each_mall_whose_quantities_changed_and_none_otherwise(consumer, make_product,
                                                                                             stock):
    cup = make_product('W-1')
    stock(cup, 6)
    save_listing(ListingValues('yahoo', 'cup', 'W-1'), actor=None)
    db.session.commit()
    channel_stock_sync()
    db.session.rollback()
    assert wait_for(lambda: len(files_made()) == 1)
    [made] = files_made()
    assert tuple(made[:3]) == ('yahoo', 1, None)
    assert made.content.decode('cp932').splitlines()[1] == 'cup,,6,,0'
    # nothing changed: the next run makes nothing
    assert stock_sync_now().get(blocking=True, timeout=20) == {}
    assert len(files_made()) == 1
    stock(cup, 1)
    assert stock_sync_now().get(blocking=True, timeout=20) == {'yahoo': 1}
    assert files_made()[-1].content.decode('cp932').splitlines()[1] == 'cup,,7,,0'


def test_the_schedule_is_every_five_minutes_unless_set_otherwise():
    assert channel_stock_sync.name == 'channel_stock_sync'
    minutes = [m for m in range(60) if SCHEDULE(dt.datetime(2026, 12, 7, 10, m))]
    assert minutes == list(range(0, 60, 5))
    assert sync_schedule('off') is None
    assert [m for m in range(60) if sync_schedule('15')(dt.datetime(2026, 12, 7, 10, m))] == [0, 15, 30, 45]
    for bad in ('0', '61', 'five', '-5'):
        with pytest.raises(RuntimeError, match='KURA_CHANNEL_STOCK_EVERY'):
            sync_schedule(bad)
