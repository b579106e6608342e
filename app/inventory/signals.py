"""What the inventory area tells others happened; it imports nothing but blinker (listeners: app.connect_listeners)."""
from blinker import Namespace


signals = Namespace()

#: sent inside the transaction that changed stock, with ``product_ids`` that now have units available;
#: the orders area listens to fill backorders (inventory itself knows nothing of orders)
stock_arrived = signals.signal('stock-arrived')

#: sent before allocated units are moved from one location to another, with ``product_id``,
#: ``from_location_id``, ``to_location_id`` and ``units``; the orders area listens to move that many units
#: of its allocations along and returns how many it moved (inventory knows nothing of orders), or refuses
#: with a UserError when they cannot follow (units on a printed pick list)
allocations_moving = signals.signal('allocations-moving')
