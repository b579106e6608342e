"""File exporters: plain records in, bytes out.  ``EXPORTERS`` is the one registry by name."""
from exporters import orders, products, shipments, stock


EXPORTERS = {
    'orders': orders.export_orders,
    'products': products.export_products,
    'daily-shipments': shipments.export_daily_shipments,
    'stock': stock.export_stock,
}
