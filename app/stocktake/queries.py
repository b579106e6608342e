"""Reading counts for the screens."""
import dataclasses

import sqlalchemy as sa

from app.catalog.models import Product
from app.extensions import db
from app.inventory.models import Location
from app.stocktake.models import CountLine, CountLocation, StockCount


def counts() -> list[tuple[StockCount, int, int]]:
    """The latest counts with how many locations each covers and how many are counted."""
    total = sa.func.count(CountLocation.id)
    done = sa.func.count(CountLocation.counted_at)
    return db.session.execute(
        sa.select(StockCount, total, done).outerjoin(CountLocation, CountLocation.count_id == StockCount.id)
        .group_by(StockCount.id).order_by(StockCount.id.desc()).limit(100)).all()


def open_counts() -> list[StockCount]:
    return db.session.scalars(sa.select(StockCount).where(StockCount.state != 'approved')
                              .order_by(StockCount.id.desc())).all()


def count_locations(count: StockCount) -> list[tuple[CountLocation, Location]]:
    return db.session.execute(
        sa.select(CountLocation, Location).join(Location, CountLocation.location_id == Location.id)
        .where(CountLocation.count_id == count.id).order_by(Location.sort_key)).all()


def count_lines(count: StockCount) -> list[CountLine]:
    """Every line of a count, in walking order then SKU."""
    return db.session.scalars(
        sa.select(CountLine).join(Location, CountLine.location_id == Location.id)
        .join(Product, CountLine.product_id == Product.id)
        .where(CountLine.count_id == count.id).order_by(Location.sort_key, Product.sku)).all()


@dataclasses.dataclass
class Accuracy:
    """How well the book matched the shelves in one count (approved or not: the lines counted so far)."""

    locations: int = 0
    locations_counted: int = 0
    lines_counted: int = 0
    lines_with_variance: int = 0
    units_found: int = 0
    units_missing: int = 0
    #: the variance's value at the products' prices: found less missing, and both added up
    yen_net: int = 0
    yen_absolute: int = 0

    @property
    def line_accuracy(self) -> float | None:
        """Percentage of counted lines without a variance."""
        if not self.lines_counted:
            return None
        return 100 * (self.lines_counted - self.lines_with_variance) / self.lines_counted


def _variance_column():
    final = sa.func.coalesce(CountLine.recounted, CountLine.counted)
    expected = sa.case((CountLine.recounted.is_not(None), CountLine.recount_book - CountLine.recount_picked),
                       else_=CountLine.book - CountLine.picked)
    return final - expected


def accuracy(count_ids: list[int]) -> dict[int, Accuracy]:
    """Accuracy figures per count, computed in the database."""
    if not count_ids:
        return {}
    variance = _variance_column()
    figures = {count_id: Accuracy() for count_id in count_ids}
    for count_id, total, done in db.session.execute(
            sa.select(CountLocation.count_id, sa.func.count(CountLocation.id), sa.func.count(CountLocation.counted_at))
            .where(CountLocation.count_id.in_(count_ids)).group_by(CountLocation.count_id)):
        figures[count_id].locations, figures[count_id].locations_counted = total, done
    rows = db.session.execute(
        sa.select(CountLine.count_id, sa.func.count(CountLine.id),
                  sa.func.count(CountLine.id).filter(variance != 0),
                  sa.func.coalesce(sa.func.sum(sa.case((variance > 0, variance), else_=0)), 0),
                  sa.func.coalesce(sa.func.sum(sa.case((variance < 0, -variance), else_=0)), 0),
                  sa.func.coalesce(sa.func.sum(variance * Product.price), 0),
                  sa.func.coalesce(sa.func.sum(sa.func.abs(variance) * Product.price), 0))
        .join(Product, CountLine.product_id == Product.id)
        .where(CountLine.count_id.in_(count_ids), CountLine.counted.is_not(None))
        .group_by(CountLine.count_id))
    for count_id, lines, varied, found, missing, net, absolute in rows:
        figure = figures[count_id]
        figure.lines_counted, figure.lines_with_variance = lines, varied
        figure.units_found, figure.units_missing = int(found), int(missing)
        figure.yen_net, figure.yen_absolute = int(net), int(absolute)
    return figures
