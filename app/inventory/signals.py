"""What the inventory area tells others happened; it imports nothing but blinker (listeners: app.connect_listeners)."""
from blinker import Namespace


signals = Namespace()

#: sent inside the transaction that changed stock, with ``product_ids`` that now have units available;
#: the orders area listens to fill backorders (inventory itself knows nothing of orders)
stock_arrived = signals.signal('stock-arrived')
