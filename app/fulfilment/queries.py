"""Reading the floor's records for reports."""
import datetime as dt
from collections import defaultdict

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.fulfilment.models import MIS_SCANS, ScanEvent
from importers.base import JST


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
