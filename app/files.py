"""Every kind of file Kura reads by name: ``IMPORTERS``.

The CLI and the screens both look files up here.  An import reads the file with ``importers/``
and saves the records through the importing module of the area that owns them.
"""
from app.catalog.importing import import_products
from app.inventory.importing import import_stock


#: each takes ``(data: bytes, filename, *, actor=None)`` and returns an ImportResult, or raises FileRefused
IMPORTERS = {
    'products': import_products,
    'stock': import_stock,
}
