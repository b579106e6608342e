"""What the fulfilment area tells others happened; it imports nothing but blinker (listeners: app.connect_listeners).

Receivers run synchronously, inside the sender's transaction: whatever they write is committed
with the event that caused it, or rolled back with it.
"""
from blinker import Namespace


signals = Namespace()

#: sent when a parcel has left (its stock left the ledger, its orders are shipped), with the Shipment as the
#: sender and ``orders`` (the parcel's orders, its own first) and ``actor``; notifications listen to write
#: the shipping confirmation
order_shipped = signals.signal('order-shipped')
