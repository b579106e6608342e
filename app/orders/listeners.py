"""What the orders area does when another area says something happened (connected by create_app)."""
from app.inventory.signals import allocations_moving, stock_arrived
from app.orders.allocation import fill_backorders, follow_moved_stock


def connect() -> None:
    stock_arrived.connect(fill_backorders)
    allocations_moving.connect(follow_moved_stock)
