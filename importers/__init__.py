"""File importers: bytes in, validated plain records out, problems with file line numbers.

``IMPORTERS`` names every kind of file Kura reads; the CLI and the upload screens both look
importers up here.
"""
from importers import products, stock


IMPORTERS = {
    'products': products.import_products,
    'stock': stock.import_stock,
}
