"""From orders and shipments to the plain records labels/ draws: pick lists, shipping labels, packing slips."""
from zoneinfo import ZoneInfo

import sqlalchemy as sa
import sqlalchemy.orm as so

from app.extensions import db
from app.fulfilment import services
from app.fulfilment.models import PickBatch, Shipment
from app.orders.models import Order, OrderLine


JST = ZoneInfo('Asia/Tokyo')


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


def _parcel_lines(parcel: list[Order]) -> list[OrderLine]:
    return db.session.scalars(sa.select(OrderLine).where(OrderLine.order_id.in_([o.id for o in parcel]))
                              .options(so.selectinload(OrderLine.product))
                              .order_by(OrderLine.order_id, OrderLine.line_no)).all()


def shipping_label_data(shipment: Shipment, sender=None):
    from labels.records import LabelLine, ShippingLabel

    order = shipment.order
    parcel = services.parcel_orders(order)
    cod = sum(o.total for o in parcel if o.payment_method == 'cod')
    return ShippingLabel(
        order_number=order.number, tracking_number=shipment.tracking_number or '', carrier=shipment.carrier,
        carrier_name=services.CARRIER_NAMES.get(shipment.carrier, shipment.carrier), service=shipment.service,
        ship_to=_ship_to(order), sender=sender or _sender(),
        items=tuple(LabelLine(sku=line.product.sku if line.product else line.item_code, name=line.name,
                              quantity=line.quantity) for line in _parcel_lines(parcel)),
        delivery_date=order.delivery_date, time_slot=order.delivery_time_slot, cod_amount=cod,
        ship_date=(shipment.shipped_at or shipment.packed_at).astimezone(JST).date())


def shipping_labels_pdf(shipments: list[Shipment], *, layout: str = '4x6') -> bytes:
    from labels import shipping_labels

    sender = _sender()   # once for the whole print run, not once per label
    db.session.scalars(sa.select(Order).where(Order.id.in_([s.order_id for s in shipments]))).all()  # one query
    return shipping_labels([shipping_label_data(s, sender) for s in shipments], layout=layout)


def packing_slip_data(order: Order):
    from app.storefront.services import shop_settings
    from labels.records import PackingSlip, SlipLine

    parcel = services.parcel_orders(order)
    return PackingSlip(
        order_number=order.number, ordered_at=order.ordered_at.astimezone(JST), shop_name=shop_settings().shop_name,
        shop_address=_sender(), ship_to=_ship_to(order), buyer_name=order.buyer_name or order.ship_name,
        lines=tuple(SlipLine(sku=line.product.sku if line.product else line.item_code, name=line.name,
                             quantity=line.quantity, unit_price=line.unit_price, tax_rate=line.tax_rate)
                    for line in _parcel_lines(parcel)),
        shipping_fee=sum(o.shipping_fee for o in parcel), cod_fee=sum(o.cod_fee for o in parcel),
        total=sum(o.total for o in parcel))


def packing_slips_pdf(orders: list[Order], *, size: str = 'a4') -> bytes:
    from labels import packing_slips

    return packing_slips([packing_slip_data(o) for o in orders], size=size)


def pick_list_pdf(batch: PickBatch) -> bytes:
    from labels import pick_list

    return pick_list(services.pick_list_data(batch))
