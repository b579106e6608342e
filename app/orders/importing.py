"""Order files into orders: never twice, never half, nothing silently lost.

The format code in importers/orders turns bytes into OrderRecords and problems.  Here the
records become orders in one transaction: orders already in Kura (same channel and channel
order id) are counted as duplicates and left alone, each line's product is resolved, and an
order that cannot go out as it is gets a hold instead of being refused (plan(), which the
shop's checkout and manual entry share).
"""
import dataclasses
import datetime as dt
import hashlib
import logging
from collections.abc import Callable

from app.database import analyze_after_bulk_load, bulk_work, utcnow
from app.extensions import db
from app.orders.models import ImportBatch, Order, OrderHold, OrderLine
from app.orders.planning import ImportSummary, existing_order_ids
from app.orders.services import PlannedOrder, auto_combine, create_orders, plan
from app.settings.services import order_rules
from importers.orders import detect, parse_files


logger = logging.getLogger(__name__)


#: the orders a preview lists (the counts cover them all)
PREVIEW_ROWS = 20


@dataclasses.dataclass
class PreviewRow:
    """One order as the preview lists it: plain values, kept with a background preview's job."""

    external_order_id: str
    ordered_at: dt.datetime
    ship_name: str
    ship_postal_code: str
    ship_prefecture: str
    ship_city: str
    ship_address1: str
    lines: int
    total: int
    holds: list[tuple[str, str]]

    @classmethod
    def of(cls, planned: PlannedOrder) -> 'PreviewRow':
        r = planned.record
        return cls(r.external_order_id, r.ordered_at, r.ship_name, r.ship_postal_code, r.ship_prefecture, r.ship_city,
                   r.ship_address1, len(r.lines), r.total, [(reason, str(note)) for reason, note in planned.holds])


@dataclasses.dataclass
class Preview:
    """What the preview page shows of an ImportSummary, made in the request or by a background job (as_dict)."""

    channel: str
    filenames: list[str]
    new_orders: int
    duplicates: int
    on_hold: int
    rejected: int
    problems: list[dict]
    shown: list[PreviewRow]

    @classmethod
    def of(cls, summary: 'ImportSummary') -> 'Preview':
        return cls(summary.channel, summary.filenames, len(summary.planned), summary.duplicates, summary.on_hold,
                   summary.rejected, [p.as_dict() for p in summary.problems],
                   [PreviewRow.of(p) for p in summary.planned[:PREVIEW_ROWS]])

    def as_dict(self) -> dict:
        values = dataclasses.asdict(self)
        for row in values['shown']:
            row['ordered_at'] = row['ordered_at'].isoformat()
        return values

    @classmethod
    def from_dict(cls, values: dict) -> 'Preview':
        shown = [PreviewRow(**{**row, 'ordered_at': dt.datetime.fromisoformat(row['ordered_at'])})
                 for row in values['shown']]
        return cls(**{**values, 'shown': shown})


def files_sha256(files: list[tuple[str, bytes]]) -> str:
    if len(files) == 1:
        return hashlib.sha256(files[0][1]).hexdigest()
    combined = hashlib.sha256()
    for _name, data in files:
        combined.update(hashlib.sha256(data).digest())
    return combined.hexdigest()


@bulk_work()
def preview_order_files(channel: str, files: list[tuple[str, bytes]], *,
                        progress: Callable[[int, int], None] | None = None) -> ImportSummary:
    """Read, check and plan order files; it only reads, so a screen runs it before its write begins.

    :param channel: a format name, or 'auto' to recognise it from the header
    :param progress: called with (orders checked, orders read) as the plan goes
    :raise FileRefused: a file cannot be read as its format
    """
    if channel == 'auto':
        channel = detect(files)
    parsed = parse_files(channel, files)
    summary = plan(channel, parsed, progress=progress)
    summary.filenames = [name for name, _ in files]
    return summary


@bulk_work()
def import_order_files(channel: str, files: list[tuple[str, bytes]], *, actor=None, dry_run: bool = False,
                       progress: Callable[[int, int], None] | None = None) -> ImportSummary:
    """Read, check and (unless `dry_run`) import order files; the caller commits once.

    :param channel: a format name, or 'auto' to recognise it from the header
    :raise FileRefused: a file cannot be read as its format; nothing was written
    """
    summary = preview_order_files(channel, files)
    if dry_run:
        return summary
    return write_planned(summary, files, actor=actor, progress=progress)


@bulk_work()
def write_planned(summary: ImportSummary, files: list[tuple[str, bytes]], *, actor=None,
                  progress: Callable[[int, int], None] | None = None) -> ImportSummary:
    """Write the orders preview_order_files() planned; the caller commits once.

    Planned before the write began, so the orders written meanwhile (the same file imported by
    another clerk) are looked up again here, under the write lock, and counted as duplicates.
    """
    channel = summary.channel
    arrived = existing_order_ids(channel, [p.record.external_order_id for p in summary.planned])
    if arrived:
        summary.planned = [p for p in summary.planned if p.record.external_order_id not in arrived]
        summary.duplicates += len(arrived)
        summary.on_hold = sum(1 for p in summary.planned if p.holds)
    batch = ImportBatch(channel=channel, filenames='\n'.join(summary.filenames), sha256=files_sha256(files),
                        user=actor, problems=[p.as_dict() for p in summary.problems])
    db.session.add(batch)
    db.session.flush()
    created = create_orders(channel, summary.planned, actor=actor, batch_id=batch.id, progress=progress)
    order_ids, summary.lines_created, summary.allocation = created.ids, created.lines, created.allocation
    analyze_after_bulk_load(db.session.connection(), [Order.__table__, OrderLine.__table__, OrderHold.__table__],
                            len(order_ids))
    summary.orders_created = len(order_ids)
    # written: the records go now, while the cycle collector is paused, rather than be walked by it afterwards
    summary.planned = []
    if order_rules().auto_combine:
        auto_combine(order_ids, actor=actor)
    batch.orders_created, batch.lines_created = summary.orders_created, summary.lines_created
    batch.duplicates, batch.on_hold, batch.rejected = summary.duplicates, summary.on_hold, summary.rejected
    batch.finished_at = utcnow()
    summary.batch_id = batch.id
    db.session.flush()
    logger.info('Import %d (%s, %s): %d orders, %d lines, %d duplicates, %d on hold, %d rejected', batch.id,
                channel, ', '.join(summary.filenames), summary.orders_created, summary.lines_created,
                summary.duplicates, summary.on_hold, summary.rejected)
    return summary
