"""Products as the same CSV the product import reads."""
import sqlalchemy as sa

from app.catalog.models import Product
from app.extensions import db
from exporters.base import ExportResult, write_csv
from importers.products import HEADER


def export_products(*, encoding: str = 'utf-8') -> ExportResult:
    products = db.session.execute(
        sa.select(Product.sku, Product.name, Product.jan, Product.price, Product.tax_rate, Product.weight_g,
                  Product.active).order_by(Product.sku))
    content = write_csv(HEADER, products, encoding=encoding)
    return ExportResult(content, 'products.csv', 'text/csv')
