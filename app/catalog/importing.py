"""The product import: the rows importers/products.py reads, checked against the catalogue and saved.

Every row is checked before anything is written, and one bad row means nothing of the file is
saved.  Rows with an existing SKU update that product; new SKUs create products.
"""
import dataclasses

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.catalog import services as catalog
from app.catalog.models import Product
from app.errors import UserError
from app.extensions import db
from importers.base import RowProblem
from importers.products import ProductFile, read_products
from importers.results import ImportResult


def check_products(products: ProductFile) -> tuple[list[tuple[int, catalog.ProductData]], list[RowProblem]]:
    """The product data each row means, merged with the product its SKU has; and the problems found.

    A column missing from the header leaves that field of an existing product as it is (a
    price-only file changes prices and nothing else); new products get the defaults.  An empty
    ``jan`` or ``weight_g`` cell clears it; an empty ``tax_rate`` or ``active`` cell keeps it.
    """
    filename = products.filename
    existing = {p.sku: p for p in db.session.scalars(
        sa.select(Product).where(Product.sku.in_({row.sku for row in products.rows})))}
    records, problems, seen = [], [], {}
    for row in products.rows:
        current = existing.get(row.sku)
        try:
            if current is None and 'price' not in products.columns:
                raise UserError(_l('A new product needs a price: the file has no price column.'), field='price')
            if row.problem:
                problems.append(row.problem)
                continue
            values = dataclasses.asdict(_as_data(current)) if current else {
                'sku': row.sku, 'name': '', 'jan': None, 'price': 0, 'tax_rate': 10, 'weight_g': None, 'active': True}
            values['sku'] = row.sku
            values.update(row.values)
            record = catalog.clean_product_data(catalog.ProductData(**values))
        except UserError as exc:
            problems.append(RowProblem(filename, row.line, exc.field or '', row.cells.get(exc.field or '', ''),
                                       str(exc), key=row.sku))
            continue
        if record.sku in seen:
            message = str(_l('The SKU is also on line %(line)d of this file.', line=seen[record.sku]))
            problems.append(RowProblem(filename, row.line, 'sku', record.sku, message, key=record.sku))
            continue
        seen[record.sku] = row.line
        records.append((row.line, record))
    return records, problems


def _as_data(product: Product) -> catalog.ProductData:
    return catalog.ProductData(**{f: getattr(product, f) for f in catalog.FIELDS})


def read_product_file(data: bytes, filename: str) -> tuple[ProductFile, list[RowProblem]]:
    """A product CSV read and checked against the catalogue; it only reads (a screen runs it before its write).

    :raise FileRefused: the file cannot be read as a product CSV at all
    """
    products = read_products(data, filename)
    return products, check_products(products)[1]


def save_products(products: ProductFile, *, actor: User | None = None) -> ImportResult:
    """Create or update the products of a file read by read_product_file(), all or nothing.

    The rows are checked again, against the catalogue as it is under the write lock (a column the
    file lacks keeps the product's current value, not the one read before the write began).
    :return: counts, and the problems; when there are problems nothing was written
    """
    filename = products.filename
    records, problems = check_products(products)
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


def import_products(data: bytes, filename: str, *, actor: User | None = None) -> ImportResult:
    """Create or update the products of a CSV file, all or nothing.

    :raise FileRefused: the file cannot be read as a product CSV at all
    :return: counts, and the problems; when there are problems nothing was written
    """
    return save_products(read_products(data, filename), actor=actor)


def _differs(product: Product, record: catalog.ProductData) -> bool:
    return any(getattr(product, f) != getattr(record, f) for f in catalog.FIELDS)
