"""Reading stock levels and the ledger for screens and exports."""
import dataclasses
from collections.abc import Iterator
from typing import NamedTuple

import sqlalchemy as sa

from app.catalog.models import Product
from app.errors import as_user_errors
from app.extensions import db
from app.inventory.models import Location, LocationKind, StockLevel, StockMovement
from exporters.base import ExportResult
from exporters.stock import StockRecord, write_stock
from labels.records import LocationLabel, ProductLabel


LEVEL_SORTS = {'sku': Product.sku, 'name': Product.name, 'location': Location.sort_key,
               'on_hand': StockLevel.on_hand, 'allocated': StockLevel.allocated,
               'available': StockLevel.on_hand - StockLevel.allocated}
LOCATION_SORTS = {'code': Location.sort_key, 'units': sa.literal_column('units'),
                  'skus': sa.literal_column('skus')}


class StockTotals(NamedTuple):
    on_hand: int
    allocated: int


def stock_totals() -> StockTotals:
    """The units on hand and allocated, over every product and location."""
    return StockTotals(*db.session.execute(sa.select(sa.func.coalesce(sa.func.sum(StockLevel.on_hand), 0),
                                                     sa.func.coalesce(sa.func.sum(StockLevel.allocated), 0))).one())


def stock_levels(q: str = '', *, product_id: int | None = None, location_id: int | None = None) -> sa.Select:
    """Stock levels with their product and location; `q` matches SKU, JAN, name or location code."""
    query = (sa.select(StockLevel, Product, Location)
             .join(Product, StockLevel.product_id == Product.id)
             .join(Location, StockLevel.location_id == Location.id)
             .where(sa.or_(StockLevel.on_hand != 0, StockLevel.allocated != 0)))
    if product_id is not None:
        query = query.where(StockLevel.product_id == product_id)
    if location_id is not None:
        query = query.where(StockLevel.location_id == location_id)
    if q:
        query = query.where(sa.or_(Product.sku.icontains(q, autoescape=True),
                                   Product.name.icontains(q, autoescape=True),
                                   Product.jan.contains(q, autoescape=True),
                                   Location.code.icontains(q, autoescape=True)))
    return query


def movements(*, product_id: int | None = None, location_id: int | None = None) -> sa.Select:
    """The ledger, newest first."""
    query = sa.select(StockMovement).order_by(StockMovement.at.desc(), StockMovement.id.desc())
    if product_id is not None:
        query = query.where(StockMovement.product_id == product_id)
    if location_id is not None:
        query = query.where(StockMovement.location_id == location_id)
    return query


def locations(q: str = '') -> sa.Select:
    """Locations with how many units and SKUs each holds."""
    query = (sa.select(Location, sa.func.coalesce(sa.func.sum(StockLevel.on_hand), 0).label('units'),
                       sa.func.count(StockLevel.id).filter(StockLevel.on_hand > 0).label('skus'))
             .outerjoin(StockLevel, StockLevel.location_id == Location.id)
             .group_by(Location.id))
    if q:
        query = query.where(Location.code.icontains(q, autoescape=True))
    return query


def totals(product_id: int) -> dict:
    """On hand and allocated over every location; available only over those whose stock may be promised."""
    on_hand, allocated = sa.func.coalesce(sa.func.sum(StockLevel.on_hand), 0), \
        sa.func.coalesce(sa.func.sum(StockLevel.allocated), 0)
    available = sa.func.coalesce(sa.func.sum(StockLevel.on_hand - StockLevel.allocated)
                                 .filter(Location.kind.in_(LocationKind.ALLOCATABLE)), 0)
    return (sa.select(on_hand.label('on_hand'), allocated.label('allocated'), available.label('available'))
            .join(Location, Location.id == StockLevel.location_id).where(StockLevel.product_id == product_id))


def available_by_product(product_ids) -> dict[int, int]:
    """Units of each product that can still be promised: on hand less allocated, over the storage locations."""
    product_ids = list(product_ids)
    if not product_ids:
        return {}
    rows = db.session.execute(sa.select(StockLevel.product_id, sa.func.sum(StockLevel.on_hand - StockLevel.allocated))
                              .join(Location, StockLevel.location_id == Location.id)
                              .where(StockLevel.product_id.in_(product_ids),
                                     Location.kind.in_(LocationKind.ALLOCATABLE))
                              .group_by(StockLevel.product_id))
    return dict.fromkeys(product_ids, 0) | {pid: int(units) for pid, units in rows}


def stock_records() -> Iterator[StockRecord]:
    """The stock of every product at every location that holds or owes some, by SKU and walking order."""
    rows = db.session.execute(
        sa.select(Product.sku, Location.code, StockLevel.on_hand, StockLevel.allocated,
                  Location.kind.in_(LocationKind.ALLOCATABLE))
        .join(Product, StockLevel.product_id == Product.id)
        .join(Location, StockLevel.location_id == Location.id)
        .where(sa.or_(StockLevel.on_hand != 0, StockLevel.allocated != 0))
        .order_by(Product.sku, Location.sort_key))
    return (StockRecord(*row) for row in rows)


def export_stock(*, encoding: str = 'utf-8') -> ExportResult:
    """Stock per product and location."""
    with as_user_errors():
        return write_stock(stock_records(), encoding=encoding)


@dataclasses.dataclass(frozen=True)
class Replenishment:
    """A pick location below its minimum, a product kept there, and the reserve shelves to bring it from."""

    location: Location
    on_hand: int
    #: units that fill it up to its capacity (or its minimum, without one)
    wanted: int
    sku: str
    product_name: str
    #: (location code, units available there) of the other storage shelves holding it, in walking order
    sources: tuple[tuple[str, int], ...]


def replenishments() -> list[Replenishment]:
    """Pick locations (those with a minimum) holding fewer units than it, in walking order, with where to refill
    them from: storage locations that are not pick locations themselves, holding free units of the product.
    """
    units = sa.func.coalesce(sa.func.sum(StockLevel.on_hand), 0)
    low = db.session.execute(
        sa.select(Location, units.label('units')).outerjoin(StockLevel, StockLevel.location_id == Location.id)
        .where(Location.minimum.is_not(None), Location.kind.in_(LocationKind.ALLOCATABLE), Location.active)
        .group_by(Location.id).having(units < Location.minimum).order_by(Location.sort_key)).all()
    if not low:
        return []
    kept = db.session.execute(
        sa.select(StockLevel.location_id, Product.id, Product.sku, Product.name)
        .join(Product, Product.id == StockLevel.product_id)
        .where(StockLevel.location_id.in_([location.id for location, _ in low])).order_by(Product.sku)).all()
    products = {product_id for _, product_id, _, _ in kept}
    sources: dict[int, list[tuple[str, int]]] = {}
    for product_id, code, available in db.session.execute(
            sa.select(StockLevel.product_id, Location.code, StockLevel.on_hand - StockLevel.allocated)
            .join(Location, Location.id == StockLevel.location_id)
            .where(StockLevel.product_id.in_(products), Location.minimum.is_(None),
                   Location.kind.in_(LocationKind.ALLOCATABLE), StockLevel.on_hand > StockLevel.allocated)
            .order_by(Location.sort_key)):
        sources.setdefault(product_id, []).append((code, available))
    rows = []
    for location, on_hand in low:
        wanted = (location.capacity or location.minimum) - on_hand
        for _, product_id, sku, name in (k for k in kept if k[0] == location.id):
            rows.append(Replenishment(location, on_hand, wanted, sku, name, tuple(sources.get(product_id, ()))))
        if not any(k[0] == location.id for k in kept):
            rows.append(Replenishment(location, on_hand, wanted, '', '', ()))
    return rows


def location_label_records(q: str = '', location_id: int | None = None) -> list[LocationLabel]:
    """Shelf labels of the locations whose code contains `q` (or the one location), in walking order."""
    query = sa.select(Location.code).order_by(Location.sort_key)
    if location_id is not None:
        query = query.where(Location.id == location_id)
    elif q:
        query = query.where(Location.code.icontains(q, autoescape=True))
    return [LocationLabel(code=code) for code in db.session.scalars(query)]


def product_label_record(product: Product) -> ProductLabel:
    return ProductLabel(sku=product.sku, name=product.name, jan=product.jan or '')
