"""Stock files for the malls (在庫連携): the quantity each listing may show, in each mall's own upload layout.

``CHANNEL_STOCK_FILES`` names each writer by channel; each is ``fn(rows: Sequence[ChannelStockRow]) ->
ExportResult``.  The rows come in the order they are to be written (the app sorts them by item code),
so the same rows give the same bytes.  A mall takes at most ``ROW_LIMITS[channel]`` rows in one file
(None: no limit known); the caller cuts and keeps the rest for the next file, and a writer given more
refuses (ValueError), so a cut is never silent.  Layouts, sources and what is not verified:
docs/formats.md, "Channel stock files".

- **Rakuten** (RMS SKU CSV, 2023 SKU project): ``商品管理番号（商品URL）,SKU管理番号,在庫数``, CP932, CRLF.
- **Yahoo!** (Store Creator Pro 在庫データ, quantity.csv): ``code,sub-code,quantity,mode,allow-overdraft``,
  CP932, CRLF; mode blank (the quantity replaces the one there, + or - would add or take away),
  allow-overdraft 0 (no order beyond the quantity).
- **Amazon** (price & quantity file): tab-separated ``sku,price,minimum-seller-allowed-price,
  maximum-seller-allowed-price,quantity,handling-time,fulfillment-channel`` with every column but sku and
  quantity left blank (blank leaves the value on Amazon as it is), CP932, CRLF.
- **Shopify** (inventory CSV import): ``Handle,Title,Option1 Name,Option1 Value,Option2 Name,Option2 Value,
  Option3 Name,Option3 Value,SKU,Location,On hand (new)``, UTF-8 without a BOM, LF.
"""
import csv
import dataclasses
import io
from collections.abc import Sequence

from exporters.base import ExportResult, write_csv


@dataclasses.dataclass(frozen=True, slots=True)
class ChannelStockRow:
    """One listing's line in a mall's stock file."""

    #: the code the mall's orders carry (Rakuten SKU管理番号, Yahoo sub-code or code, Amazon SKU, Shopify SKU)
    item_code: str
    #: the product page's code (Rakuten 商品管理番号, Yahoo code when item_code is a sub-code, Shopify handle)
    page_code: str
    quantity: int
    #: Shopify's location name (the inventory CSV has one row per variant and location)
    location: str = ''

    def __post_init__(self):
        if self.quantity < 0:
            raise ValueError(f'{self.item_code}: a quantity sent to a mall is never negative ({self.quantity})')


RAKUTEN_HEADER = ('商品管理番号（商品URL）', 'SKU管理番号', '在庫数')
YAHOO_HEADER = ('code', 'sub-code', 'quantity', 'mode', 'allow-overdraft')
AMAZON_HEADER = ('sku', 'price', 'minimum-seller-allowed-price', 'maximum-seller-allowed-price', 'quantity',
                 'handling-time', 'fulfillment-channel')
SHOPIFY_HEADER = ('Handle', 'Title', 'Option1 Name', 'Option1 Value', 'Option2 Name', 'Option2 Value',
                  'Option3 Name', 'Option3 Value', 'SKU', 'Location', 'On hand (new)')

#: the most rows one upload takes; None where no limit is known
ROW_LIMITS = {'rakuten': 60_000, 'yahoo': 20_000, 'amazon': None, 'shopify': None}


def _within_limit(channel: str, rows: Sequence[ChannelStockRow]) -> None:
    limit = ROW_LIMITS[channel]
    if limit is not None and len(rows) > limit:
        raise ValueError(f'{len(rows)} rows for {channel}, which takes at most {limit} in one file')


def rakuten_stock(rows: Sequence[ChannelStockRow]) -> ExportResult:
    """Rakuten RMS SKU stock CSV: the page's 商品管理番号, the SKU管理番号 the orders carry, the quantity."""
    _within_limit('rakuten', rows)
    content = write_csv(RAKUTEN_HEADER, ((r.page_code, r.item_code, r.quantity) for r in rows), encoding='cp932')
    return ExportResult(content, 'rakuten-stock.csv', 'text/csv')


def yahoo_stock(rows: Sequence[ChannelStockRow]) -> ExportResult:
    """Yahoo! quantity.csv: code and sub-code, the quantity replacing the one there, no overdraft."""
    _within_limit('yahoo', rows)
    # a listing whose orders carry the sub-code has its page's code beside it; one without a page code is
    # an item without variants, whose orders carry the item code itself
    cells = ((r.page_code or r.item_code, r.item_code if r.page_code else '', r.quantity, '', 0) for r in rows)
    return ExportResult(write_csv(YAHOO_HEADER, cells, encoding='cp932'), 'yahoo-quantity.csv', 'text/csv')


def _tsv(value) -> str:
    """A cell of a tab-separated file, which has no quoting: tabs and line breaks become spaces."""
    text = str(value)
    return ' '.join(text.split()) if any(c in text for c in '\t\r\n') else text


def amazon_stock(rows: Sequence[ChannelStockRow]) -> ExportResult:
    """Amazon price & quantity file: sku and quantity, everything else blank (left as it is)."""
    _within_limit('amazon', rows)
    lines = ['\t'.join(AMAZON_HEADER)]
    lines += ['\t'.join((_tsv(r.item_code), '', '', '', str(r.quantity), '', '')) for r in rows]
    content = ''.join(line + '\r\n' for line in lines).encode('cp932')
    return ExportResult(content, 'amazon-price-quantity.txt', 'text/tab-separated-values')


def shopify_stock(rows: Sequence[ChannelStockRow]) -> ExportResult:
    """Shopify inventory CSV: On hand (new) per variant (its handle and SKU) at the shop's location."""
    _within_limit('shopify', rows)
    buffer = io.StringIO(newline='')
    writer = csv.writer(buffer, lineterminator='\n')
    writer.writerow(SHOPIFY_HEADER)
    for r in rows:
        writer.writerow((r.page_code, '', '', '', '', '', '', '', r.item_code, r.location, r.quantity))
    return ExportResult(buffer.getvalue().encode('utf-8'), 'shopify-inventory.csv', 'text/csv')


CHANNEL_STOCK_FILES = {
    'rakuten': rakuten_stock,
    'yahoo': yahoo_stock,
    'amazon': amazon_stock,
    'shopify': shopify_stock,
}
