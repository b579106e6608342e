"""The stock import: the rows importers/stock.py reads, received into their locations.

A location that does not exist yet is created.  Every row is checked first; one bad row means
nothing of the file is received.
"""
import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.models import User
from app.catalog.models import Product
from app.errors import UserError
from app.extensions import db
from app.inventory import services as inventory
from importers.base import RowProblem
from importers.results import ImportResult
from importers.stock import read_stock


def import_stock(data: bytes, filename: str, *, actor: User | None = None) -> ImportResult:
    """Receive the quantities of a stock CSV, all or nothing.

    :raise FileRefused: the file cannot be read as a stock CSV at all
    """
    rows = read_stock(data, filename)
    products = {p.sku: p for p in db.session.scalars(sa.select(Product).where(Product.sku.in_({r.sku for r in rows})))}
    result = ImportResult(filename)
    checked = []
    for row in rows:
        try:
            product = products.get(row.sku)
            if product is None:
                raise UserError(_l('Unknown SKU "%(sku)s".', sku=row.sku) if row.sku else _l('sku is required.'),
                                field='sku')
            location_code = inventory.clean_location_code(row.location)
            if row.quantity is not None:
                inventory.clean_quantity(row.quantity)
        except UserError as exc:
            result.problems.append(RowProblem(filename, row.line, exc.field or '', row.cells.get(exc.field or '', ''),
                                              str(exc), key=row.sku))
            continue
        if row.problem:
            result.problems.append(row.problem)
            continue
        checked.append((row.line, product, location_code, row.quantity))
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
