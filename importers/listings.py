"""The listings CSV: ``channel,item_code,sku`` and optionally ``page_code,safety_stock,share_percent,cap,floor,paused``.

This module reads the file into one ``ListingRow`` per data row; ``app/channels/services.py`` checks the
channels and SKUs and saves them, all or nothing.  An empty rule cell means the channel's rule;
``paused`` is 1 (never sent) or 0/empty.
"""
import dataclasses

from flask_babel import lazy_gettext as _l

from importers.base import FormatError, RowProblem, read_rows
from importers.values import parse_int


REQUIRED = ('channel', 'item_code', 'sku')
RULE_COLUMNS = ('safety_stock', 'share_percent', 'cap', 'floor')


@dataclasses.dataclass(frozen=True)
class ListingRow:
    """One data row of a listings file, read but not yet checked against the catalogue."""

    line: int
    channel: str
    item_code: str
    sku: str
    page_code: str = ''
    #: None: the channel's value
    safety_stock: int | None = None
    share_percent: int | None = None
    cap: int | None = None
    floor: int | None = None
    paused: bool = False


def read_listings(data: bytes, filename: str) -> tuple[list[ListingRow], list[RowProblem]]:
    """Every row of a listings CSV, and the problem of each row that cannot be read.

    :raise FileRefused: the file cannot be read as a listings CSV at all
    """
    _header, rows = read_rows(data, filename, required=REQUIRED)
    listings, problems = [], []
    for row in rows:
        item_code = row.get('item_code').strip()
        try:
            rule = {name: parse_int(row.get(name), name, minimum=0, required=False) for name in RULE_COLUMNS}
            paused = row.get('paused').strip()
            if paused not in ('', '0', '1'):
                raise FormatError(_l('paused must be 1 or 0, not "%(value)s".', value=paused), field='paused')
        except FormatError as exc:
            problems.append(RowProblem(filename, row.line, exc.field or '', row.get(exc.field or ''), str(exc),
                                       key=item_code))
            continue
        listings.append(ListingRow(row.line, row.get('channel').strip(), item_code, row.get('sku').strip(),
                                   row.get('page_code').strip(), **rule, paused=paused == '1'))
    return listings, problems
