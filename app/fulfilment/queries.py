"""Reading the floor's records for reports."""
import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.fulfilment.models import MIS_SCANS, ScanEvent
from app.orders.queries import TimelineEntry


JST = ZoneInfo('Asia/Tokyo')


def order_scans(order) -> list[TimelineEntry]:
    """The order's scans at the packing station, as entries of its timeline."""
    return [TimelineEntry(e.at, e.user, 'order.scan', None, {'result': e.result, 'code': e.code, 'station': e.station},
                          e.message)
            for e in db.session.scalars(sa.select(ScanEvent).where(ScanEvent.order_id == order.id)
                                        .order_by(ScanEvent.id))]


def misscans_by_packer_and_day(days: int = 30) -> list[dict]:
    """For each packer and JST day: scans, mis-scans of each kind, overrides.

    A scan is every code read while a parcel was open or waited for its label; a mis-scan is every one of them
    that was refused, the scans made during a stop included (a packer who scans on through a stop shows here).
    """
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    rows = db.session.execute(sa.select(ScanEvent.at, ScanEvent.result, User.name)
                              .outerjoin(User, User.id == ScanEvent.user_id).where(ScanEvent.at >= since))
    table = defaultdict(lambda: defaultdict(int))
    for at, result, name in rows:
        key = (at.astimezone(JST).date(), name or '—')
        table[key]['scans'] += result in ('ok', 'label_ok', *MIS_SCANS)
        if result in MIS_SCANS:
            table[key]['errors'] += 1
            table[key][result] += 1
        if result == 'override':
            table[key]['overrides'] += 1
    return [{'day': day, 'packer': packer, **counts} for (day, packer), counts in
            sorted(table.items(), key=lambda kv: (kv[0][0], kv[0][1]), reverse=True)]
