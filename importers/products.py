"""The product CSV: ``sku,name,jan,price,tax_rate,weight_g,active`` (extra columns allowed).

UTF-8 with or without BOM, or CP932.  Rows with an existing SKU update that product; new
SKUs create products.  Every row is checked before anything is written, and one bad row
means nothing of the file is saved.
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.catalog import services as catalog
from app.catalog.models import Product
from app.errors import UserError
from app.extensions import db
from importers.base import RowProblem, read_rows
from importers.results import ImportResult
from importers.values import parse_bool, parse_int, parse_tax_rate


HEADER = ('sku', 'name', 'jan', 'price', 'tax_rate', 'weight_g', 'active')
REQUIRED = ('sku', 'name', 'price')


def read_products(data: bytes, filename: str) -> tuple[list[tuple[int, catalog.ProductData]], list[RowProblem]]:
    """Parse and check every row; return (line, product data) pairs and the problems found."""
    _header, rows = read_rows(data, filename, required=REQUIRED)
    records, problems, seen = [], [], {}
    for row in rows:
        try:
            record = catalog.clean_product_data(catalog.ProductData(
                sku=row.get('sku'),
                name=row.get('name'),
                jan=row.get('jan'),
                price=parse_int(row.get('price'), 'price', minimum=0),
                tax_rate=parse_tax_rate(row.get('tax_rate')),
                weight_g=parse_int(row.get('weight_g'), 'weight_g', minimum=0, required=False),
                active=parse_bool(row.get('active'), 'active', default=True),
            ))
        except UserError as exc:
            problems.append(RowProblem(filename, row.line, exc.field or '', row.get(exc.field or ''), str(exc),
                                       key=row.get('sku')))
            continue
        if record.sku in seen:
            message = str(_l('The SKU is also on line %(line)d of this file.', line=seen[record.sku]))
            problems.append(RowProblem(filename, row.line, 'sku', record.sku, message, key=record.sku))
            continue
        seen[record.sku] = row.line
        records.append((row.line, record))
    return records, problems


def import_products(data: bytes, filename: str, *, actor=None) -> ImportResult:
    """Create or update the products of a CSV file, all or nothing.

    :raise FileRefused: the file cannot be read as a product CSV at all
    :return: counts, and the problems; when there are problems nothing was written
    """
    records, problems = read_products(data, filename)
    result = ImportResult(filename, problems=problems)
    if problems:
        return result
    existing = {p.sku: p for p in db.session.scalars(
        sa.select(Product).where(Product.sku.in_([r.sku for _, r in records])))}
    savepoint = db.session.begin_nested()
    for line, record in records:
        product = existing.get(record.sku)
        try:
            if product is None:
                catalog.create_product(record, actor=actor)
                result.created += 1
            elif _differs(product, record):
                catalog.update_product(product, record, actor=actor)
                result.updated += 1
            else:
                result.unchanged += 1
        except UserError as exc:
            result.problems.append(RowProblem(filename, line, exc.field or '', getattr(record, exc.field or '', '')
                                              or '', str(exc), key=record.sku))
    if result.problems:
        savepoint.rollback()
        result.created = result.updated = result.unchanged = 0
    else:
        savepoint.commit()
    return result


def _differs(product: Product, record: catalog.ProductData) -> bool:
    return any(getattr(product, f) != getattr(record, f) for f in catalog.FIELDS)
