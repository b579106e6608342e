"""What the returns area tells others happened; it imports nothing but blinker (listeners: app.connect_listeners).

Receivers run synchronously, inside the sender's transaction.
"""
from blinker import Namespace


signals = Namespace()

#: sent when units of a return were received and graded, with the Return as the sender and ``units``
#: (how many were received this time) and ``actor``
return_received = signals.signal('return-received')
