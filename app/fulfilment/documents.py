"""From orders and shipments to the plain records labels/ draws: pick lists, shipping labels, packing slips.

Also the rule of which packing slip a parcel gets, with prices or without (:func:`slip_without_prices`).
"""
from collections import defaultdict
from collections.abc import Iterable, Sequence

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.fulfilment import services
from app.fulfilment.models import PickBatch, Shipment
from app.orders.models import Order, OrderLine
from app.settings.services import shop_settings
from importers.base import JST


CHUNK = 1000
#: the packing slip's ``prices``: chosen by :func:`slip_without_prices`, or forced either way
PRICE_MODES = ('auto', 'with', 'without')
#: labels.shipping.LAYOUTS, named here too so that the application starts without loading reportlab
LABEL_LAYOUTS = ('4x6', 'a4-2up')


def _sender(s: services.ShippingSettings | None = None):
    from labels.records import Address

    s = s or services.shipping_settings()
    return Address(postal_code=s.sender_postal_code, prefecture=s.sender_prefecture, city=s.sender_city,
                   address1=s.sender_address1, address2=s.sender_address2, name=s.sender_name, phone=s.sender_phone)


def _ship_to(order: Order):
    from labels.records import Address

    return Address(postal_code=order.ship_postal_code, prefecture=order.ship_prefecture, city=order.ship_city,
                   address1=order.ship_address1, address2=order.ship_address2, name=order.ship_name,
                   phone=order.ship_phone)


def _parcels(orders: list[Order]) -> dict[int, tuple[list[Order], list[OrderLine]]]:
    """Each order's parcel (itself and the orders combined into it) and the parcel's lines, for a print run.

    Three queries for the whole run (orders combined in, lines, products), not three per label.
    """
    ids = [o.id for o in orders]
    children = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        for child in db.session.scalars(sa.select(Order).where(Order.combined_into_id.in_(ids[start:start + CHUNK]))
                                        .order_by(Order.id)):
            children[child.combined_into_id].append(child)
    parcels = {o.id: [o, *children[o.id]] for o in orders}
    every_id = [p.id for parcel in parcels.values() for p in parcel]
    lines = defaultdict(list)
    for start in range(0, len(every_id), CHUNK):
        for line in db.session.scalars(sa.select(OrderLine).where(OrderLine.order_id.in_(every_id[start:start + CHUNK]))
                                       .options(so.selectinload(OrderLine.product))
                                       .order_by(OrderLine.order_id, OrderLine.line_no)):
            lines[line.order_id].append(line)
    return {order_id: (parcel, [line for p in parcel for line in lines[p.id]]) for order_id, parcel in parcels.items()}


def _sku(line: OrderLine) -> str:
    return line.product.sku if line.product else line.item_code


def _merged(lines: Iterable[OrderLine], key) -> list[tuple[OrderLine, int]]:
    """The parcel's lines with the same `key` made one: (the first such line, the summed quantity), in order.

    A parcel of combined orders (同梱) then shows a SKU that two of its orders bought once, with the
    quantity the box holds, as the packer counts it.
    """
    merged: dict = {}
    for line in lines:
        first, quantity = merged.get(key(line), (line, 0))
        merged[key(line)] = (first, quantity + line.quantity)
    return list(merged.values())


def _name_key(name: str | None) -> str:
    """A name as compared: every space removed, full-width (U+3000) ones included ('山田　花子' is '山田 花子')."""
    return ''.join((name or '').split())


def is_gift(order: Order) -> bool:
    """The customer asked for gift wrapping or のし."""
    return bool(order.gift_wrap.strip() or order.noshi.strip())


def goes_to_someone_else(order: Order) -> bool:
    """The parcel's recipient is not the buyer (an order without a buyer name is the buyer's own)."""
    buyer = _name_key(order.buyer_name)
    return bool(buyer) and buyer != _name_key(order.ship_name)


def slip_without_prices(order: Order, parcel_orders: Sequence[Order]) -> bool:
    """Whether the parcel's packing slip is the price-free one (金額なし納品書) when nobody chose.

    It is when the parcel is a present: any of its orders asks for gift wrapping or のし, or it goes
    to someone other than the buyer (ship-to and buyer name compared without any spaces; an empty
    buyer name counts as the same person).  Whoever receives a present must not read what it cost.
    The one rule for every place that prints or announces the slip (the PDF, the packing station).

    :param order: the order that carries the parcel (its ship-to and buyer are the parcel's)
    :param parcel_orders: every order in the parcel, as ``services.parcel_orders(order)`` gives them
    """
    return goes_to_someone_else(order) or any(is_gift(o) for o in (order, *parcel_orders))


def shipping_labels_data(shipments: list[Shipment], sender=None) -> list:
    """The label records of shipments, in their order."""
    from labels.records import LabelLine, ShippingLabel

    sender = sender or _sender()   # once for the whole print run, not once per label
    order_ids = sorted({s.order_id for s in shipments})
    orders = {o.id: o for start in range(0, len(order_ids), CHUNK)
              for o in db.session.scalars(sa.select(Order).where(Order.id.in_(order_ids[start:start + CHUNK])))}
    parcels = _parcels(list(orders.values()))
    records = []
    for shipment in shipments:
        order = orders[shipment.order_id]
        parcel, lines = parcels[order.id]
        records.append(ShippingLabel(
            order_number=order.number, tracking_number=shipment.tracking_number or '', carrier=shipment.carrier,
            carrier_name=services.CARRIER_NAMES.get(shipment.carrier, shipment.carrier), service=shipment.service,
            ship_to=_ship_to(order), sender=sender,
            items=tuple(LabelLine(sku=_sku(line), name=line.name, quantity=quantity)
                        for line, quantity in _merged(lines, _sku)),
            delivery_date=order.delivery_date, time_slot=order.delivery_time_slot,
            cod_amount=services.cod_to_collect(parcel),
            ship_date=(shipment.shipped_at or shipment.packed_at).astimezone(JST).date()))
    return records


def shipping_labels_pdf(shipments: list[Shipment], *, layout: str = '4x6') -> bytes:
    from labels import shipping_labels

    return shipping_labels(shipping_labels_data(shipments), layout=layout)


def packing_slips_data(orders: list[Order], *, prices: str = 'auto') -> list:
    """The packing slip records of orders (each the parcel of its order), in their order.

    :param prices: ``'auto'`` (without prices for a present: :func:`slip_without_prices`), ``'with'`` or
        ``'without'``
    :raise ValueError: for another `prices`
    """
    from labels.records import PackingSlip, SlipLine

    if prices not in PRICE_MODES:
        raise ValueError(f'prices must be one of {", ".join(PRICE_MODES)}, not {prices!r}')
    shop_name, sender = shop_settings().shop_name, _sender()
    parcels = _parcels(orders)
    records = []
    for order in orders:
        parcel, lines = parcels[order.id]
        show_prices = prices == 'with' or (prices == 'auto' and not slip_without_prices(order, parcel))
        # one line per SKU; on a priced slip per SKU and price, so that every line's amount is its
        # quantity times the price it was sold at (a price may have changed between combined orders)
        key = (lambda line: (_sku(line), line.unit_price, line.tax_rate)) if show_prices else _sku
        records.append(PackingSlip(
            order_number=order.number, ordered_at=order.ordered_at.astimezone(JST), shop_name=shop_name,
            shop_address=sender, ship_to=_ship_to(order), buyer_name=order.buyer_name or order.ship_name,
            lines=tuple(SlipLine(sku=_sku(line), name=line.name, quantity=quantity, unit_price=line.unit_price,
                                 tax_rate=line.tax_rate) for line, quantity in _merged(lines, key)),
            shipping_fee=sum(o.shipping_fee for o in parcel), cod_fee=sum(o.cod_fee for o in parcel),
            # what the customer is billed: points and coupons show as ポイント・値引き等
            total=sum(o.billed for o in parcel), delivery_date=order.delivery_date,
            time_slot=order.delivery_time_slot, requests=tuple(services.customer_request(o) for o in parcel),
            show_prices=show_prices,
            gift_from=order.buyer_name if not show_prices and goes_to_someone_else(order) else ''))
    return records


def packing_slips_pdf(orders: list[Order], *, size: str = 'a4', prices: str = 'auto') -> bytes:
    from labels import packing_slips

    return packing_slips(packing_slips_data(orders, prices=prices), size=size)


def pick_list_pdf(batch: PickBatch) -> bytes:
    from labels import pick_list

    return pick_list(services.pick_list_data(batch))
