"""Orders: the order record, imports from mall files, holds, and (to come) triage and allocation."""
from flask import Blueprint


bp = Blueprint('orders', __name__, template_folder='templates')


def _listen():
    from app.inventory import stock_arrived
    from app.orders.allocation import fill_backorders

    stock_arrived.connect(fill_backorders)


_listen()
