"""Reading counts for the screens."""
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
