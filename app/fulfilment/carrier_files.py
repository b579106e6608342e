"""Files exchanged with carriers and malls: label data out, tracking numbers back in, shipping confirmations out."""
import dataclasses
import datetime as dt

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.services import record_audit
from app.extensions import db
from app.fulfilment import services
from app.fulfilment.models import PickBatch, Shipment
from app.orders.models import NUMBER_PREFIX, Order, OrderLine
from app.orders.money import included_tax
from importers.base import JST


def _item_name(order: Order) -> str:
    lines = db.session.scalars(sa.select(OrderLine).where(OrderLine.order_id.in_(
        [o.id for o in services.parcel_orders(order)])).order_by(OrderLine.id)).all()
    first = lines[0].name if lines else ''
    return first if len(lines) <= 1 else f'{first} 他{len(lines) - 1}点'


def carrier_shipment(order: Order, settings: services.ShippingSettings, ship_date: dt.date):
    from exporters.carriers import CarrierShipment

    parcel = services.parcel_orders(order)
    cod = services.cod_to_collect(parcel)
    if cod is None:
        unknown = [o.number for o in parcel if o.payment_method == 'cod' and o.amount_due is None]
        raise ValueError(str(_l('%(order)s: cash on delivery, but what the customer owes is not known for '
                                '%(orders)s (the mall\'s file gave no billed amount after points and coupons): '
                                'enter the amount due on the order, then make the file again',
                                order=order.number, orders=', '.join(unknown))))
    shipment = services.shipment_of(order.id)
    return CarrierShipment(
        order_number=order.number, ship_date=ship_date, ship_to_postal=order.ship_postal_code,
        ship_to_prefecture=order.ship_prefecture, ship_to_city=order.ship_city,
        ship_to_address1=order.ship_address1, ship_to_address2=order.ship_address2, ship_to_name=order.ship_name,
        ship_to_phone=order.ship_phone, sender_postal=settings.sender_postal_code,
        sender_prefecture=settings.sender_prefecture, sender_city=settings.sender_city,
        sender_address1=settings.sender_address1, sender_address2=settings.sender_address2,
        sender_name=settings.sender_name, sender_phone=settings.sender_phone, item_name=_item_name(order),
        # the window as the order has it: each carrier file reads it into its own code, or lists it
        delivery_date=order.delivery_date, time_slot=order.delivery_time_slot,
        cod_amount=cod, cod_tax=cod_tax(parcel),
        tracking_number=(shipment.tracking_number or '') if shipment else '',
        customer_code={'yamato': settings.yamato_customer_code, 'sagawa': settings.sagawa_customer_code}.get(
            services.carrier_of(order, settings), ''),
        freight_code=settings.yamato_freight_code if services.carrier_of(order, settings) == 'yamato' else '')


def cod_tax(parcel: list[Order]) -> int:
    """The consumption tax inside what the carrier collects: goods at their own rates, fees at 10%.

    Each COD order collects its amount due; when points or coupons made it less than the total, it is
    split over the rates in proportion (按分), the yen left by rounding down going to the 10% part.
    """
    tax = 0
    for order in parcel:
        if order.payment_method != 'cod' or not order.amount_due:
            continue
        by_rate = {}
        for line in order.lines:
            by_rate[line.tax_rate] = by_rate.get(line.tax_rate, 0) + line.unit_price * line.quantity
        by_rate[10] = by_rate.get(10, 0) + order.total - sum(by_rate.values())
        by_rate = {rate: max(amount, 0) for rate, amount in by_rate.items()}
        whole = sum(by_rate.values())
        if whole and whole != order.amount_due:
            by_rate = {rate: amount * order.amount_due // whole for rate, amount in by_rate.items()}
            by_rate[10] += order.amount_due - sum(by_rate.values())
        tax += sum(included_tax(amount, rate) for rate, amount in by_rate.items())
    return tax


def export_batch(batch: PickBatch, carrier: str):
    """The carrier's label file for the parcels of a batch that go with that carrier."""
    from exporters.carriers import CARRIER_EXPORTS

    settings = services.shipping_settings()
    today = dt.datetime.now(JST).date()
    parcels = [o for o in services.batch_orders(batch)
               if o.combined_into_id is None and services.carrier_of(o, settings) == carrier]
    shipments, refused = [], []
    for order in parcels:
        try:
            shipments.append(carrier_shipment(order, settings, today))
        except ValueError as exc:   # a phone or postal code the carrier cannot take: fix the order, export again
            refused.append((order.number, str(exc)))
    result = CARRIER_EXPORTS[carrier](shipments)
    if refused:
        result = dataclasses.replace(result, warnings=[*result.warnings, *(message for _, message in refused)],
                                     left_out=[*result.left_out, *(number for number, _ in refused)])
    return result


def read_tracking(carrier: str, data: bytes, filename: str):
    """The carrier's file of issued numbers, read and checked; nothing is written (see import_tracking).

    :raise FileRefused: the file cannot be read as that carrier's file
    """
    from importers.tracking import TRACKING_IMPORTS

    return TRACKING_IMPORTS[carrier](data, filename)


def import_tracking(tracking_file, *, actor):
    """Reconcile a file read by read_tracking() and set the matched numbers on their parcels.

    Only packed parcels can take a number; every row of the file lands in one list of the result.
    """
    filename = tracking_file.filename
    # an order sent again has its latest parcel last, so it is the one the file's order number means
    known = dict(db.session.execute(sa.select(Shipment.order_id, Shipment.tracking_number)
                                    .order_by(Shipment.id)).tuples().all())
    known_numbers = {f'{NUMBER_PREFIX}{order_id:08d}': number for order_id, number in known.items()}
    existing = set(db.session.scalars(sa.select(Shipment.tracking_number).where(
        Shipment.tracking_number.is_not(None))))
    result = tracking_file.reconcile(known_numbers, existing)
    for row in result.matched:
        shipment = services.shipment_of(Order.id_from_number(row.order_number))
        shipment.tracking_number = row.tracking_number
        record_audit(actor, 'shipment.tracking_imported', shipment.order, note=f'{filename}:{row.line}')
    db.session.flush()
    return result
