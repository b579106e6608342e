"""Reading the floor's records for reports."""
import datetime as dt
from collections import defaultdict
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from app.accounts.models import User
from app.extensions import db
from app.fulfilment.models import ScanEvent


JST = ZoneInfo('Asia/Tokyo')
ERRORS = ('wrong_item', 'other_order', 'too_many', 'unknown_code', 'label_mismatch')


def misscans_by_packer_and_day(days: int = 30) -> list[dict]:
    """For each packer and JST day: scans, mis-scans of each kind, overrides."""
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    rows = db.session.execute(sa.select(ScanEvent.at, ScanEvent.result, User.name)
                              .outerjoin(User, User.id == ScanEvent.user_id).where(ScanEvent.at >= since))
    table = defaultdict(lambda: defaultdict(int))
    for at, result, name in rows:
        key = (at.astimezone(JST).date(), name or '—')
        table[key]['scans'] += result in ('ok', *ERRORS)
        if result in ERRORS:
            table[key]['errors'] += 1
            table[key][result] += 1
        if result == 'override':
            table[key]['overrides'] += 1
    return [{'day': day, 'packer': packer, **counts} for (day, packer), counts in
            sorted(table.items(), key=lambda kv: (kv[0][0], kv[0][1]), reverse=True)]
