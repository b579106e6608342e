"""Reading products for screens and exports."""
from collections.abc import Iterator

import sqlalchemy as sa

from app.catalog.models import Product
from app.errors import as_user_errors
from app.extensions import db
from exporters.base import ExportResult
from exporters.products import ProductRecord, write_products


SORTS = {'sku': Product.sku, 'name': Product.name, 'jan': Product.jan, 'price': Product.price,
         'updated': Product.updated_at}


def active_product_count() -> int:
    return db.session.scalar(sa.select(sa.func.count(Product.id)).where(Product.active))


def product_search(q: str = '', *, active: str = '') -> sa.Select:
    """Products whose SKU, JAN or name contain `q`; `active` is '', '1' or '0'."""
    query = sa.select(Product)
    if q:
        query = query.where(sa.or_(Product.sku.icontains(q, autoescape=True),
                                   Product.name.icontains(q, autoescape=True),
                                   Product.jan.contains(q, autoescape=True)))
    if active in ('1', '0'):
        query = query.where(Product.active == (active == '1'))
    return query


def product_records() -> Iterator[ProductRecord]:
    """Every product, by SKU, as the product export writes it."""
    rows = db.session.execute(sa.select(Product.sku, Product.name, Product.jan, Product.price, Product.tax_rate,
                                        Product.weight_g, Product.active).order_by(Product.sku))
    return (ProductRecord(*row) for row in rows)


def export_products(*, encoding: str = 'utf-8') -> ExportResult:
    """Every product, in the product import's own layout."""
    with as_user_errors():
        return write_products(product_records(), encoding=encoding)
