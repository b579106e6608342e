"""File exporters: plain records in, bytes out.  ``EXPORTERS`` is the one registry by name."""
from exporters import products, stock


EXPORTERS = {
    'products': products.export_products,
    'stock': stock.export_stock,
}
