"""Stock per product and location: ``sku,location,on_hand,allocated,available``."""
import sqlalchemy as sa

from app.catalog.models import Product
from app.extensions import db
from app.inventory.models import Location, StockLevel
from exporters.base import ExportResult, write_csv


HEADER = ('sku', 'location', 'on_hand', 'allocated', 'available')


def export_stock(*, encoding: str = 'utf-8') -> ExportResult:
    rows = db.session.execute(
        sa.select(Product.sku, Location.code, StockLevel.on_hand, StockLevel.allocated,
                  StockLevel.on_hand - StockLevel.allocated)
        .join(Product, StockLevel.product_id == Product.id)
        .join(Location, StockLevel.location_id == Location.id)
        .where(sa.or_(StockLevel.on_hand != 0, StockLevel.allocated != 0))
        .order_by(Product.sku, Location.sort_key))
    return ExportResult(write_csv(HEADER, rows, encoding=encoding), 'stock.csv', 'text/csv')
