"""Order files from the malls and Kura's own CSV, read into plain OrderRecords.

Each format is a module with ``parse(files) -> ParseResult``, registered by name in ORDER_FORMATS.
``files`` is a list of (filename, bytes): Yahoo needs two files, the others take one or more.
"""
import csv
import io

from flask_babel import lazy_gettext as _l

from importers.base import FileRefused, decode, not_csv, sniff_delimiter
from importers.orders import amazon, kura, rakuten, shopify, yahoo
from importers.orders._common import given
from importers.orders.records import LineRecord, OrderRecord, ParseResult


__all__ = ['ORDER_FORMATS', 'FileRefused', 'LineRecord', 'OrderRecord', 'ParseResult', 'detect', 'parse_files']

ORDER_FORMATS = {
    'rakuten': rakuten.parse,
    'amazon': amazon.parse,
    'yahoo': yahoo.parse,
    'shopify': shopify.parse,
    'kura': kura.parse,
}

# the columns that tell one format from another; Yahoo's template varies and is told by yahoo.file_kind()
_SIGNATURES = (
    ('rakuten', {'注文番号', '商品明細ID'}),
    ('amazon', {'order-id', 'order-item-id'}),
    ('shopify', {'Name', 'Lineitem quantity'}),
    ('kura', {'order_id', 'sku'}),
)


def detect(files: list[tuple[str, bytes]]) -> str:
    """The name of the format the files are in, told from their headers; FileRefused when none fits."""
    found = {}
    for filename, data in given(files):
        found[filename] = _detect_one(filename, data)
    formats = set(found.values())
    if len(formats) > 1:
        listed = ', '.join(f'{filename}: {name}' for filename, name in found.items())
        raise FileRefused(files[0][0], _l('the files are in different formats (%(formats)s); import them separately',
                                          formats=listed))
    return formats.pop()


def _detect_one(filename: str, data: bytes) -> str:
    header = set(_header(filename, data))
    for name, columns in _SIGNATURES:
        if columns <= header:
            return name
    if yahoo.file_kind(list(header)):
        return 'yahoo'
    raise FileRefused(filename, _l('not a known order file: the header matches none of Rakuten (注文番号, 商品明細ID), '
                                   'Amazon (order-id, order-item-id), Yahoo (OrderId or 注文番号, with OrderTime or '
                                   'Quantity), Shopify (Name, Lineitem quantity) or Kura (order_id, sku)'))


def _header(filename: str, data: bytes) -> list[str]:
    text = decode(data, filename)
    if not text.strip():
        raise FileRefused(filename, _l('the file is empty'))
    try:
        header = next(csv.reader(io.StringIO(text, newline=''), delimiter=sniff_delimiter(text)))
    except csv.Error as exc:
        raise not_csv(filename, 1, exc) from None
    return [name.strip() for name in header]


def parse_files(channel: str, files: list[tuple[str, bytes]]) -> ParseResult:
    """Read the files as the named format, or as the format detect() finds when channel is 'auto'."""
    if channel == 'auto':
        channel = detect(files)
    if channel not in ORDER_FORMATS:
        raise ValueError(f'unknown order format {channel!r}; expected auto or one of {", ".join(ORDER_FORMATS)}')
    return ORDER_FORMATS[channel](files)
