"""File exporters: plain records in, bytes out.  ``EXPORTERS`` is the one registry by name."""
from exporters import orders, products, stock


EXPORTERS = {
    'orders': orders.export_orders,
    'products': products.export_products,
    'stock': stock.export_stock,
}
