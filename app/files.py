"""Every kind of file Kura reads or writes by name: ``IMPORTERS`` and ``EXPORTERS``, for the CLI.

Each entry is the area's own: an import reads the file with ``importers/`` and saves the records
through the area's ``importing`` module; an export (in the area's queries) has the area build
plain records and hands them to ``exporters/``, which turns them into bytes, a FormatError coming
out as UserError.  The screens call their area's import and export directly; only the command
line, which names a kind, needs this table, so app.files reads the areas and no area reads it.
"""
from app.catalog.importing import import_products
from app.catalog.queries import export_products
from app.fulfilment.queries import export_daily_shipments
from app.inventory.importing import import_stock
from app.inventory.queries import export_stock
from app.orders.queries import export_orders
from app.returns.queries import export_returns


#: each takes ``(data: bytes, filename, *, actor=None)`` and returns an ImportResult, or raises FileRefused
IMPORTERS = {
    'products': import_products,
    'stock': import_stock,
}

#: each takes ``encoding=`` and its own filters, and returns an ExportResult; UserError when it cannot be written
EXPORTERS = {
    'orders': export_orders,
    'products': export_products,
    'daily-shipments': export_daily_shipments,
    'stock': export_stock,
    'returns': export_returns,
}
