"""The stock CSV: ``sku,location,quantity``, one receipt of stock per row.

This module reads the file into one ``StockRow`` per data row; ``app/inventory/importing.py``
checks the SKUs and locations and receives the quantities, all or nothing.
"""
import dataclasses

from importers.base import FormatError, RowProblem, read_rows
from importers.values import parse_int


REQUIRED = ('sku', 'location', 'quantity')


@dataclasses.dataclass(frozen=True)
class StockRow:
    """One data row of a stock file, read but not yet checked against the catalogue and the locations."""

    line: int
    sku: str
    #: the location code as written
    location: str
    #: None when the quantity cannot be read: ``problem`` then says why
    quantity: int | None
    #: the text of each column, as written, for the problems to quote
    cells: dict[str, str]
    problem: RowProblem | None = None


def read_stock(data: bytes, filename: str) -> list[StockRow]:
    """Read every row of a stock CSV; a quantity that cannot be read is the problem of its row.

    :raise FileRefused: the file cannot be read as a stock CSV at all
    """
    _header, rows = read_rows(data, filename, required=REQUIRED)
    stock = []
    for row in rows:
        sku = row.get('sku').strip()
        cells = {name: row.get(name) for name in REQUIRED}
        try:
            quantity = parse_int(row.get('quantity'), 'quantity', minimum=1)
        except FormatError as exc:
            problem = RowProblem(filename, row.line, exc.field or '', row.get(exc.field or ''), str(exc), key=sku)
            stock.append(StockRow(row.line, sku, row.get('location'), None, cells, problem))
        else:
            stock.append(StockRow(row.line, sku, row.get('location'), quantity, cells))
    return stock
