"""What the orders area tells others happened; it imports nothing but blinker (listeners: app.connect_listeners).

Receivers run synchronously, inside the sender's transaction: whatever they write is committed
with the event that caused it, or rolled back with it.
"""
from blinker import Namespace


signals = Namespace()

#: sent by the one function that writes new orders (a checkout, a mall import), once per call, with the
#: channel as the sender and ``order_ids``, ``actor`` (None for a customer) and ``locale`` (the language
#: the customer used); notifications listen to write the order confirmations
order_placed = signals.signal('order-placed')

#: sent while an order's timeline is put together, with the Order as the sender; each receiver returns the
#: entries it keeps about the order (queries.TimelineEntry), as fulfilment does with the packing scans
timeline_entries = signals.signal('order-timeline-entries')
