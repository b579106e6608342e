"""Every kind of file Kura reads or writes by name: ``IMPORTERS`` and ``EXPORTERS``.

The CLI and the screens both look files up here.  Each entry joins the area that owns the data to
the format code: an import reads the file with ``importers/`` and saves the records through the
area's ``importing`` module; an export has the area's queries build plain records and hands them to
``exporters/``, which turns them into bytes.  A FormatError of the format code comes out as UserError.
"""
import datetime as dt

from app.catalog import queries as catalog_queries
from app.catalog.importing import import_products
from app.errors import as_user_errors
from app.fulfilment import queries as fulfilment_queries
from app.inventory import queries as inventory_queries
from app.inventory.importing import import_stock
from app.orders import queries as order_queries
from app.returns import queries as return_queries
from exporters.base import ExportResult
from exporters.orders import write_orders
from exporters.products import write_products
from exporters.returns import write_returns
from exporters.shipments import write_daily_shipments
from exporters.stock import write_stock


#: each takes ``(data: bytes, filename, *, actor=None)`` and returns an ImportResult, or raises FileRefused
IMPORTERS = {
    'products': import_products,
    'stock': import_stock,
}


def export_orders(*, date_from: dt.date | None = None, date_to: dt.date | None = None, order_ids=None,
                  encoding: str = 'utf-8') -> ExportResult:
    """Orders ordered on JST days `date_from` to `date_to` (both included), or the given ids, one row per line."""
    lines = order_queries.order_line_records(date_from=date_from, date_to=date_to, order_ids=order_ids)
    with as_user_errors():
        return write_orders(lines, date_from=date_from, date_to=date_to, encoding=encoding)


def export_products(*, encoding: str = 'utf-8') -> ExportResult:
    """Every product, in the product import's own layout."""
    with as_user_errors():
        return write_products(catalog_queries.product_records(), encoding=encoding)


def export_stock(*, encoding: str = 'utf-8') -> ExportResult:
    """Stock per product and location."""
    with as_user_errors():
        return write_stock(inventory_queries.stock_records(), encoding=encoding)


def export_daily_shipments(*, day: dt.date, format: str = 'csv', encoding: str = 'utf-8') -> ExportResult:
    """The parcels shipped on a JST day: CSV, or XLSX with totals by carrier and channel."""
    with as_user_errors():
        return write_daily_shipments(fulfilment_queries.shipped_parcels(day), day=day, format=format,
                                     encoding=encoding)


def export_returns(*, date_from: dt.date | None = None, date_to: dt.date | None = None,
                   encoding: str = 'utf-8') -> ExportResult:
    """Returns opened on JST days `date_from` to `date_to` (both included), one row per returned line."""
    with as_user_errors():
        return write_returns(return_queries.return_line_records(date_from=date_from, date_to=date_to),
                             date_from=date_from, date_to=date_to, encoding=encoding)


#: each takes ``encoding=`` and its own filters, and returns an ExportResult; UserError when it cannot be written
EXPORTERS = {
    'orders': export_orders,
    'products': export_products,
    'daily-shipments': export_daily_shipments,
    'stock': export_stock,
    'returns': export_returns,
}
