"""What the fulfilment area adds when another area asks (connected by create_app)."""
from app.fulfilment.queries import order_scans
from app.orders.signals import timeline_entries


def connect() -> None:
    timeline_entries.connect(order_scans)
