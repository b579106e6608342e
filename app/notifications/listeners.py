"""Notifications listen, they are not called: e-mail written because another area said something happened.

Receivers run inside the sender's transaction, so a message is committed with the event that
caused it or not at all; the sender (sender.py) delivers it after the commit.
"""
from app.channels.signals import oversold
from app.fulfilment.signals import order_shipped
from app.notifications.services import (
    mail_settings,
    queue_order_confirmations,
    queue_oversell_alerts,
    queue_return_email,
    queue_shipping_confirmation,
)
from app.orders.models import OWN_CHANNELS
from app.orders.signals import order_placed
from app.returns.signals import refund_recorded, return_approved, return_received


def confirm_orders(channel: str, *, order_ids: list[int], actor=None, locale: str = 'ja') -> None:
    """The order confirmation (受注確認メール): always for the shop's own orders, for mall orders when set."""
    if channel not in OWN_CHANNELS and not mail_settings().send_mall_order_confirmation:
        return
    queue_order_confirmations(order_ids, actor=actor, locale=locale)


def confirm_shipment(shipment, *, orders: list, actor=None) -> None:
    """The shipping confirmation (発送完了メール) of a parcel that left; the rules are queue_shipping_confirmation's."""
    queue_shipping_confirmation(shipment, orders=orders)


def alert_managers(channel: str, *, oversell_ids: list[int]) -> None:
    """Tell the managers at once of demand Kura cannot fill: the malls are sent 0 until they clear it."""
    queue_oversell_alerts(oversell_ids)


def tell_return_approved(ret, *, actor=None) -> None:
    """The customer's return request was approved: where to send the units."""
    queue_return_email('return_approved', ret, actor=actor)


def tell_return_received(ret, *, units: int, complete: bool, actor=None) -> None:
    """Every unit of a return is in (one message per return, when the last unit arrives)."""
    if complete:
        queue_return_email('return_received', ret, actor=actor)


def tell_refund_made(refund, *, actor=None) -> None:
    queue_return_email('refund_made', refund.return_, refund=refund, actor=actor)


def connect() -> None:
    order_placed.connect(confirm_orders)
    order_shipped.connect(confirm_shipment)
    oversold.connect(alert_managers)
    return_approved.connect(tell_return_approved)
    return_received.connect(tell_return_received)
    refund_recorded.connect(tell_refund_made)
