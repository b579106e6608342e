"""What the channels area tells others happened; it imports nothing but blinker (listeners: app.connect_listeners).

Receivers run synchronously, inside the sender's transaction.
"""
from blinker import Namespace


signals = Namespace()

#: sent when demand a channel brought cannot be filled for a product it showed as available, with the
#: channel as the sender and ``oversell_ids``; notifications listen to write to the managers
oversold = signals.signal('oversold')
