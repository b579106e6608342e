"""The product CSV: ``sku,name,jan,price,tax_rate,weight_g,active`` (extra columns allowed).

UTF-8 with or without BOM, or CP932.  This module reads the file into one ``ProductRow`` per
data row; ``app/catalog/importing.py`` checks the rows against the catalogue and saves them, all
or nothing.
"""
from __future__ import annotations

import dataclasses

from importers.base import FormatError, RowProblem, read_rows, strip_formula_guard
from importers.values import parse_bool, parse_int, parse_tax_rate


HEADER = ('sku', 'name', 'jan', 'price', 'tax_rate', 'weight_g', 'active')
REQUIRED = ('sku',)


@dataclasses.dataclass(frozen=True)
class ProductRow:
    """One data row of a product file, read but not yet checked against the catalogue."""

    line: int
    #: the SKU without surrounding spaces or the formula guard of Kura's own export
    sku: str
    #: the product fields this file has columns for, parsed.  An empty ``tax_rate`` or ``active``
    #: cell is left out (it keeps what the product has); an empty ``jan`` or ``weight_g`` is None
    #: (it clears the value)
    values: dict
    #: the text of each product column the file has, as written, for the problems to quote
    cells: dict[str, str]
    #: the first value of the row that cannot be read; its other values are then not in ``values``
    problem: RowProblem | None = None


@dataclasses.dataclass(frozen=True)
class ProductFile:
    filename: str
    #: the product fields (of HEADER) the file has columns for; the others are left as they are
    columns: frozenset[str]
    rows: list[ProductRow]


def read_products(data: bytes, filename: str) -> ProductFile:
    """Read every row of a product CSV; a value that cannot be read is the problem of its row.

    :raise FileRefused: the file cannot be read as a product CSV at all
    """
    header, rows = read_rows(data, filename, required=REQUIRED)
    columns = frozenset(header) & frozenset(HEADER)
    products = []
    for row in rows:
        sku = strip_formula_guard(row.get('sku').strip())
        cells = {name: row.get(name) for name in HEADER if name in columns}
        try:
            values = _given_values(row, columns)
        except FormatError as exc:
            problem = RowProblem(filename, row.line, exc.field or '', row.get(exc.field or ''), str(exc), key=sku)
            products.append(ProductRow(row.line, sku, {}, cells, problem))
        else:
            products.append(ProductRow(row.line, sku, values, cells))
    return ProductFile(filename, columns, products)


def _given_values(row, columns: frozenset[str]) -> dict:
    """The fields this row's file has columns for, parsed."""
    given = {}
    if 'name' in columns:
        given['name'] = strip_formula_guard(row.get('name'))
    if 'jan' in columns:
        given['jan'] = row.get('jan')
    if 'price' in columns:
        given['price'] = parse_int(row.get('price'), 'price', minimum=0)
    if 'tax_rate' in columns and row.get('tax_rate').strip():
        given['tax_rate'] = parse_tax_rate(row.get('tax_rate'))
    if 'weight_g' in columns:
        given['weight_g'] = parse_int(row.get('weight_g'), 'weight_g', minimum=0, required=False)
    if 'active' in columns and row.get('active').strip():
        given['active'] = parse_bool(row.get('active'), 'active', default=True)
    return given
