"""The stock CSV: ``sku,location,quantity``; receives each quantity into its location.

A location that does not exist yet is created.  Every row is checked first; one bad row means
nothing of the file is received.
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.catalog.models import Product
from app.errors import UserError
from app.extensions import db
from app.inventory import services as inventory
from importers.base import RowProblem, read_rows
from importers.results import ImportResult
from importers.values import parse_int


REQUIRED = ('sku', 'location', 'quantity')


def import_stock(data: bytes, filename: str, *, actor=None) -> ImportResult:
    """Receive the quantities of a stock CSV, all or nothing.

    :raise FileRefused: the file cannot be read as a stock CSV at all
    """
    _header, rows = read_rows(data, filename, required=REQUIRED)
    skus = {row.get('sku').strip() for row in rows}
    products = {p.sku: p for p in db.session.scalars(sa.select(Product).where(Product.sku.in_(skus)))}
    result = ImportResult(filename)
    checked = []
    for row in rows:
        sku = row.get('sku').strip()
        try:
            product = products.get(sku)
            if product is None:
                raise UserError(_l('Unknown SKU "%(sku)s".', sku=sku) if sku else _l('sku is required.'), field='sku')
            location_code = inventory.clean_location_code(row.get('location'))
            quantity = parse_int(row.get('quantity'), 'quantity', minimum=1)
        except UserError as exc:
            result.problems.append(RowProblem(filename, row.line, exc.field or '', row.get(exc.field or ''),
                                              str(exc), key=sku))
            continue
        checked.append((row.line, product, location_code, quantity))
    if result.problems:
        return result
    savepoint = db.session.begin_nested()
    try:
        for line, product, location_code, quantity in checked:
            location = inventory.get_or_create_location(location_code)
            inventory.receive(product, location, quantity, actor=actor, reference=f'import {filename}:{line}')
            result.created += 1
    except UserError as exc:
        savepoint.rollback()
        result.problems.append(RowProblem(filename, line, exc.field or '', '', str(exc)))
        result.created = 0
    else:
        savepoint.commit()
    return result
