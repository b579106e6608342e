"""The product CSV: ``sku,name,jan,price,tax_rate,weight_g,active`` (extra columns allowed).

UTF-8 with or without BOM, or CP932.  Rows with an existing SKU update that product; new
SKUs create products.  Every row is checked before anything is written, and one bad row
means nothing of the file is saved.
"""
from __future__ import annotations

import dataclasses

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.catalog import services as catalog
from app.catalog.models import Product
from app.errors import UserError
from app.extensions import db
from importers.base import RowProblem, read_rows, strip_formula_guard
from importers.results import ImportResult
from importers.values import parse_bool, parse_int, parse_tax_rate


HEADER = ('sku', 'name', 'jan', 'price', 'tax_rate', 'weight_g', 'active')
REQUIRED = ('sku',)


def read_products(data: bytes, filename: str) -> tuple[list[tuple[int, catalog.ProductData]], list[RowProblem]]:
    """Parse and check every row; return (line, product data) pairs and the problems found.

    A column missing from the header leaves that field of an existing product as it is (a
    price-only file changes prices and nothing else); new products get the defaults.  An empty
    ``jan`` or ``weight_g`` cell clears it; an empty ``tax_rate`` or ``active`` cell keeps it.
    """
    header, rows = read_rows(data, filename, required=REQUIRED)
    present = set(header)
    existing = {p.sku: p for p in db.session.scalars(
        sa.select(Product).where(Product.sku.in_({strip_formula_guard(r.get('sku').strip()) for r in rows})))}
    records, problems, seen = [], [], {}
    for row in rows:
        sku = strip_formula_guard(row.get('sku').strip())
        current = existing.get(sku)
        try:
            if current is None and 'price' not in present:
                raise UserError(_l('A new product needs a price: the file has no price column.'), field='price')
            values = dataclasses.asdict(_as_data(current)) if current else {
                'sku': sku, 'name': '', 'jan': None, 'price': 0, 'tax_rate': 10, 'weight_g': None, 'active': True}
            values['sku'] = sku
            values.update(_given_values(row, present, values))
            record = catalog.clean_product_data(catalog.ProductData(**values))
        except UserError as exc:
            problems.append(RowProblem(filename, row.line, exc.field or '', row.get(exc.field or ''), str(exc),
                                       key=sku))
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


def _given_values(row, present: set[str], current: dict) -> dict:
    """The fields this row's file has columns for, parsed."""
    given = {}
    if 'name' in present:
        given['name'] = strip_formula_guard(row.get('name'))
    if 'jan' in present:
        given['jan'] = row.get('jan')
    if 'price' in present:
        given['price'] = parse_int(row.get('price'), 'price', minimum=0)
    if 'tax_rate' in present and row.get('tax_rate').strip():
        given['tax_rate'] = parse_tax_rate(row.get('tax_rate'))
    if 'weight_g' in present:
        given['weight_g'] = parse_int(row.get('weight_g'), 'weight_g', minimum=0, required=False)
    if 'active' in present:
        given['active'] = parse_bool(row.get('active'), 'active', default=current['active'])
    return given


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
