"""Warehouses, locations, stock levels and the movement ledger."""
from blinker import Namespace
from flask import Blueprint


bp = Blueprint('inventory', __name__, template_folder='templates')

signals = Namespace()
#: sent inside the transaction that changed stock, with ``product_ids`` that now have units available;
#: the orders area listens to fill backorders (inventory itself knows nothing of orders)
stock_arrived = signals.signal('stock-arrived')
