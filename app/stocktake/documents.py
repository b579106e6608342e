"""The count sheet (棚卸し表): the count's locations and booked products as plain records for labels/."""
from collections import defaultdict

import sqlalchemy as sa

from app.catalog.models import Product
from app.extensions import db
from app.inventory.models import Location
from app.stocktake.models import CountLine, CountLocation, StockCount
from app.stocktake.vocabulary import SCOPE_LABELS
from importers.base import JST
from labels.count_sheet import CountSheet, CountSheetLine, CountSheetLocation, count_sheet


def count_sheet_data(count: StockCount) -> CountSheet:
    """Every location of the count in walking order, with what the book held there when the count started."""
    lines = defaultdict(list)
    for line, product in db.session.execute(
            sa.select(CountLine, Product).join(Product, CountLine.product_id == Product.id)
            .where(CountLine.count_id == count.id).order_by(Product.sku)):
        lines[line.location_id].append(CountSheetLine(product.sku, product.name, product.jan or '',
                                                      None if count.blind else line.snapshot))
    locations = db.session.execute(
        sa.select(Location.id, Location.code).join(CountLocation, CountLocation.location_id == Location.id)
        .where(CountLocation.count_id == count.id).order_by(Location.sort_key)).all()
    return CountSheet(count.number, f'{SCOPE_LABELS[count.scope]} {count.scope_text}'.strip(),
                      count.started_at.astimezone(JST).strftime('%Y-%m-%d %H:%M'), count.blind,
                      tuple(CountSheetLocation(code, tuple(lines[location_id])) for location_id, code in locations))


def count_sheet_pdf(count: StockCount) -> bytes:
    return count_sheet(count_sheet_data(count))
