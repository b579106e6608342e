"""What the returns area tells others happened; it imports nothing but blinker (listeners: app.connect_listeners).

Receivers run synchronously, inside the sender's transaction.
"""
from blinker import Namespace


signals = Namespace()

#: sent when units of a return were received and graded, with the Return as the sender, ``units`` (how many
#: were received this time), ``complete`` (every unit expected is in) and ``actor``
return_received = signals.signal('return-received')

#: sent when a clerk approves a customer's return request, with the Return as the sender and ``actor``
return_approved = signals.signal('return-approved')

#: sent when a refund was recorded, with the Refund as the sender and ``actor``
refund_recorded = signals.signal('refund-recorded')
