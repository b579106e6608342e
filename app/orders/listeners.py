"""What the orders area does when another area says something happened (connected by create_app)."""
from app.inventory.signals import stock_arrived
from app.orders.allocation import fill_backorders


def connect() -> None:
    stock_arrived.connect(fill_backorders)
