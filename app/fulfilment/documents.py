"""From orders and shipments to the plain records labels/ draws: pick lists, shipping labels, packing slips."""
from collections import defaultdict
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.fulfilment import services
from app.fulfilment.models import PickBatch, Shipment
from app.orders.models import Order, OrderLine


JST = ZoneInfo('Asia/Tokyo')
CHUNK = 1000


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
            items=tuple(LabelLine(sku=_sku(line), name=line.name, quantity=line.quantity) for line in lines),
            delivery_date=order.delivery_date, time_slot=order.delivery_time_slot,
            cod_amount=sum(o.total for o in parcel if o.payment_method == 'cod'),
            ship_date=(shipment.shipped_at or shipment.packed_at).astimezone(JST).date()))
    return records


def shipping_labels_pdf(shipments: list[Shipment], *, layout: str = '4x6') -> bytes:
    from labels import shipping_labels

    return shipping_labels(shipping_labels_data(shipments), layout=layout)


def packing_slips_data(orders: list[Order]) -> list:
    """The packing slip records of orders (each the parcel of its order), in their order."""
    from app.storefront.services import shop_settings
    from labels.records import PackingSlip, SlipLine

    shop_name, sender = shop_settings().shop_name, _sender()
    parcels = _parcels(orders)
    records = []
    for order in orders:
        parcel, lines = parcels[order.id]
        records.append(PackingSlip(
            order_number=order.number, ordered_at=order.ordered_at.astimezone(JST), shop_name=shop_name,
            shop_address=sender, ship_to=_ship_to(order), buyer_name=order.buyer_name or order.ship_name,
            lines=tuple(SlipLine(sku=_sku(line), name=line.name, quantity=line.quantity, unit_price=line.unit_price,
                                 tax_rate=line.tax_rate) for line in lines),
            shipping_fee=sum(o.shipping_fee for o in parcel), cod_fee=sum(o.cod_fee for o in parcel),
            total=sum(o.total for o in parcel)))
    return records


def packing_slips_pdf(orders: list[Order], *, size: str = 'a4') -> bytes:
    from labels import packing_slips

    return packing_slips(packing_slips_data(orders), size=size)


def pick_list_pdf(batch: PickBatch) -> bytes:
    from labels import pick_list

    return pick_list(services.pick_list_data(batch))
