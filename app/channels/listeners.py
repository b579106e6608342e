"""What the channels area does when another area says something happened (connected by create_app)."""
from app.channels.services import on_order_placed
from app.orders.signals import order_placed


def connect() -> None:
    order_placed.connect(on_order_placed)
