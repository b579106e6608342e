"""The warehouse floor's rules: what goes in a pick batch, what a scan means, when a parcel may leave.

Every scan is recorded.  A wrong scan stops the station until the packer acknowledges it; a unit
that cannot be scanned is counted only by a supervisor's override, with a reason.  There is no
"mark all packed".  Functions flush and never commit.
"""
import dataclasses
import datetime as dt
import logging
from collections import defaultdict

import sqlalchemy as sa
import sqlalchemy.orm as so
from flask_babel import lazy_gettext as _l

from app.accounts.services import record_audit
from app.catalog.models import Product
from app.catalog.services import find_product_by_code
from app.database import utcnow
from app.errors import UserError
from app.extensions import db
from app.fulfilment.models import CARRIERS, PackingSession, PickBatch, ScanEvent, Shipment, TrackingRange
from app.fulfilment.signals import order_shipped
from app.inventory.models import Location, MovementReason
from app.inventory.services import StockChange, apply_stock_changes
from app.orders.models import Allocation, Order, OrderHold, OrderLine
from app.orders.services import lock_order, locked_order, transition
from app.orders.vocabulary import STATUS_LABELS
from app.settings.services import load_settings, save_settings
from importers.base import JST
from importers.codes import code_text, is_tracking_number, scanned_tracking_number, with_tracking_check_digit
from importers.orders.normalize import phone, postal_code


logger = logging.getLogger(__name__)


@dataclasses.dataclass(frozen=True)
class ShippingSettings:
    """The shop as sender, its default carrier, and the floor's rules."""

    default_carrier: str = 'yamato'
    sender_name: str = '茶と器の店 蔵'
    sender_postal_code: str = '1000001'
    sender_prefecture: str = '東京都'
    sender_city: str = '千代田区'
    sender_address1: str = '千代田1-1'
    sender_address2: str = ''
    sender_phone: str = '0312345678'
    #: scan the printed label's tracking barcode on the box before the parcel counts as ready (送り状検品)
    require_label_scan: bool = False
    #: the shop's customer codes at the carriers, as their label software asks for them
    yamato_customer_code: str = ''
    yamato_freight_code: str = ''
    sagawa_customer_code: str = ''
    #: printed in the shipping e-mail
    return_policy: str = '商品到着後7日以内にご連絡ください。お客様都合の返品は未開封に限り承ります。'


CARRIER_NAMES = {'yamato': 'ヤマト運輸', 'sagawa': '佐川急便', 'japanpost': '日本郵便', 'clickpost': 'クリックポスト'}
CARRIER_SERVICES = {'yamato': '宅急便', 'sagawa': '飛脚宅配便', 'japanpost': 'ゆうパック',
                    'clickpost': 'クリックポスト'}
TRACKING_URLS = {
    'yamato': 'https://toi.kuronekoyamato.co.jp/cgi-bin/tneko?number00=1&number01={number}',
    'sagawa': 'https://k2k.sagawa-exp.co.jp/p/web/okurijosearch.do?okurijoNo={number}',
    'japanpost': 'https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={number}',
    'clickpost': 'https://trackings.post.japanpost.jp/services/srv/search/direct?reqCodeNo1={number}',
}


def shipping_settings() -> ShippingSettings:
    return load_settings('shipping', ShippingSettings)


def save_shipping_settings(settings: ShippingSettings, *, actor) -> ShippingSettings:
    """Save the shipping settings, the sender's postal code and phone as the labels print them (digits)."""
    if settings.default_carrier not in CARRIERS:
        raise UserError(_l('Unknown carrier "%(carrier)s".', carrier=settings.default_carrier), field='default_carrier')
    settings = dataclasses.replace(
        settings,
        sender_postal_code=_stored(postal_code, settings.sender_postal_code, 'sender_postal_code',
                                   _l('A postal code has 7 digits, e.g. 100-0001.')),
        sender_phone=_stored(phone, settings.sender_phone, 'sender_phone',
                             _l('A Japanese phone number of 10 or 11 digits, e.g. 03-1234-5678.')))
    return save_settings('shipping', settings, actor=actor)


def _stored(normalise, value: str, field: str, message) -> str:
    """A postal code or phone number as stored, or the UserError on its field, in the reader's language."""
    try:
        return normalise(value)
    except ValueError:
        raise UserError(message, field=field) from None


def carrier_of(order: Order, settings: ShippingSettings | None = None) -> str:
    return order.carrier or (settings or shipping_settings()).default_carrier


def tracking_url(carrier: str, number: str) -> str:
    return TRACKING_URLS.get(carrier, '').format(number=number)


# ---------------------------------------------------------------------------------------------- picking


def parcel_orders(order: Order) -> list[Order]:
    """The order and the orders combined into its parcel, in order."""
    children = db.session.scalars(sa.select(Order).where(Order.combined_into_id == order.id)
                                  .order_by(Order.id)).all()
    return [order, *children]


def cod_to_collect(parcel: list[Order]) -> int | None:
    """Yen the courier collects for a parcel: the sum of its COD orders' amounts due (0 without COD);
    None when one of them is not known, so that nobody collects a guess."""
    amounts = [o.amount_due for o in parcel if o.payment_method == 'cod']
    return None if None in amounts else sum(amounts)


def _held(order_ids) -> set[int]:
    return set(db.session.scalars(sa.select(OrderHold.order_id).where(
        OrderHold.order_id.in_(order_ids), OrderHold.released_at.is_(None))))


def create_pick_batch(*, carrier: str | None = None, channel: str | None = None,
                      delivery_date: dt.date | None = None, single_item: bool | None = None,
                      limit: int | None = None, actor=None) -> PickBatch | None:
    """Put every allocated, unheld parcel that matches the filters in a new batch; None when there is none.

    A parcel goes only whole: an order that carries combined orders waits until all of them are allocated.
    """
    settings = shipping_settings()
    # a shop order reserves its stock at checkout even while it waits for the money: it is picked once paid
    query = (sa.select(Order).where(Order.status == 'allocated', Order.combined_into_id.is_(None),
                                    Order.payment_status.in_(('paid', 'cod')))
             .order_by(Order.priority.desc(), Order.ordered_at, Order.id))
    if channel:
        query = query.where(Order.channel == channel)
    if delivery_date:
        query = query.where(Order.delivery_date == delivery_date)
    candidates = db.session.scalars(query).all()
    children = defaultdict(list)
    for child in db.session.scalars(sa.select(Order).where(Order.combined_into_id.in_([o.id for o in candidates]))):
        children[child.combined_into_id].append(child)
    held = _held([o.id for o in candidates] + [c.id for cs in children.values() for c in cs])
    units = dict(db.session.execute(sa.select(OrderLine.order_id, sa.func.sum(OrderLine.quantity)).where(
        OrderLine.order_id.in_([o.id for o in candidates])).group_by(OrderLine.order_id)).tuples().all())
    chosen = []
    for order in candidates:
        parcel = [order, *children.get(order.id, [])]
        if any(o.id in held or o.status != 'allocated' or o.payment_status not in ('paid', 'cod') for o in parcel):
            continue
        if carrier and carrier_of(order, settings) != carrier:
            continue
        if single_item is not None:
            is_single = len(parcel) == 1 and units.get(order.id, 0) == 1
            if is_single != single_item:
                continue
        chosen.append(parcel)
        if limit and len(chosen) >= limit:
            break
    if not chosen:
        return None
    today = dt.datetime.now(JST)
    made_today = db.session.scalar(sa.select(sa.func.count(PickBatch.id)).where(
        PickBatch.code.startswith(f'PB-{today:%Y%m%d}-')))
    batch = PickBatch(code=f'PB-{today:%Y%m%d}-{made_today + 1:04d}', created_by=actor,
                      filters={k: v for k, v in {'carrier': carrier, 'channel': channel,
                                                 'delivery_date': delivery_date and delivery_date.isoformat(),
                                                 'single_item': single_item}.items() if v is not None})
    db.session.add(batch)
    db.session.flush()
    for parcel in chosen:
        for order in parcel:
            transition(order, 'picking', actor=actor, why=batch.code)
            order.pick_batch_id = batch.id
    db.session.flush()
    logger.info('Pick batch %s: %d parcels', batch.code, len(chosen))
    return batch


def batch_orders(batch: PickBatch) -> list[Order]:
    return db.session.scalars(sa.select(Order).where(Order.pick_batch_id == batch.id).order_by(Order.id)).all()


def customer_request(order: Order):
    """What the customer asked for with `order` (labels.records.CustomerRequest), for the pick list and the slip."""
    from labels.records import CustomerRequest

    return CustomerRequest(order_number=order.number, gift_wrap=order.gift_wrap, noshi=order.noshi,
                           comment=order.customer_comment, delivery_date=order.delivery_date,
                           time_slot=order.delivery_time_slot)


def pick_list_data(batch: PickBatch):
    """The batch as the pick list shows it: totals in walking order, then each parcel's items and wishes.

    A parcel's block carries what each of its orders asked for (the carrying order first, then the
    orders combined into it): the packer works from this sheet, and a comment or a のし that only
    the combined order had must not be lost with it.
    """
    from labels.records import PickItem, PickList, PickOrder

    rows = db.session.execute(
        sa.select(Allocation.order_id, Order.combined_into_id, Location.code, Location.sort_key, Product.sku,
                  Product.name, Product.jan, sa.func.sum(Allocation.quantity))
        .join(Order, Order.id == Allocation.order_id).join(Location, Location.id == Allocation.location_id)
        .join(Product, Product.id == Allocation.product_id)
        .where(Order.pick_batch_id == batch.id)
        .group_by(Allocation.order_id, Order.combined_into_id, Location.code, Location.sort_key, Product.sku,
                  Product.name, Product.jan)).all()
    totals = defaultdict(int)
    # a parcel's units are counted per location and SKU whichever of its orders they are for: a SKU in
    # two combined orders is one row with the sum
    per_parcel = defaultdict(lambda: defaultdict(int))
    names = {}
    for order_id, carrier_id, code, sort_key, sku, name, jan, quantity in rows:
        totals[(sort_key, code, sku)] += quantity
        per_parcel[carrier_id or order_id][(sort_key, code, sku)] += quantity
        names[sku] = (name, jan or '')
    members = batch_orders(batch)  # the whole parcels, orders combined in included, by id
    carried = defaultdict(list)
    for order in members:
        if order.combined_into_id is not None:
            carried[order.combined_into_id].append(order)
    parcels = [o for o in members if o.combined_into_id is None]

    def items(counts):
        return tuple(PickItem(location=code, sku=sku, name=names[sku][0], jan=names[sku][1], quantity=q)
                     for (_, code, sku), q in sorted(counts.items()))

    return PickList(batch_code=batch.code, created_at=batch.created_at.astimezone(JST), totals=items(totals),
                    orders=tuple(PickOrder(order_number=o.number, ship_name=o.ship_name, items=items(per_parcel[o.id]),
                                           delivery_date=o.delivery_date, time_slot=o.delivery_time_slot,
                                           requests=tuple(customer_request(p) for p in (o, *carried[o.id])))
                                 for o in parcels))


# ---------------------------------------------------------------------------------------------- packing
#
# A station works on one parcel at a time: the packing session it opened last, while that is open, stopped,
# or packed and waiting for its label on the box.  Every code scanned there goes through station_scan(),
# which decides what the code means from that state alone; the screen decides nothing.


@dataclasses.dataclass
class ScanOutcome:
    ok: bool
    message: str
    result: str
    session: PackingSession | None = None
    shipment: Shipment | None = None
    line_id: int | None = None
    #: the parcel's lines as they stand after this scan (packing_lines()), so the station need not read them again
    lines: list[dict] | None = None


def _record(station, actor, code, result, message='', session=None, order_id=None, line_id=None) -> ScanEvent:
    event = ScanEvent(station=station, user_id=actor.id if actor else None, code=code[:100], result=result,
                      message=str(message), session_id=session.id if session else None,
                      order_id=order_id or (session.order_id if session else None), order_line_id=line_id)
    db.session.add(event)
    db.session.flush()
    return event


def order_number_in(code: str) -> int | None:
    """The order id an order barcode carries (K and digits, as printed on the slip and the pick list), or None."""
    code = code.strip()
    return Order.id_from_number(code) if code[:1] in ('K', 'k') else None


def shipment_of(order_id: int) -> Shipment | None:
    """The parcel of an order that carries one (the order a packing session packs): its latest, when the order
    was sent again after its first parcel came back."""
    return db.session.scalar(sa.select(Shipment).where(Shipment.order_id == order_id)
                             .order_by(Shipment.id.desc()).limit(1))


def shipment_by_label(label: str | None) -> Shipment | None:
    """The parcel whose label carries this tracking number (scanned_tracking_number() of a scanned code)."""
    return db.session.scalar(sa.select(Shipment).where(Shipment.tracking_number == label)) if label else None


def _latest_session(station: str) -> PackingSession | None:
    return db.session.scalar(sa.select(PackingSession).where(
        PackingSession.station == station, PackingSession.status.in_(('open', 'packed')))
        .options(so.joinedload(PackingSession.order)).order_by(PackingSession.id.desc()).limit(1))


@dataclasses.dataclass
class StationState:
    """What a station has in hand: the parcel it works on (if any) and the box last packed there."""

    #: the parcel the station is held by: open, stopped, or packed and waiting for its own label
    current: PackingSession | None
    #: the session last packed here and its shipment, shown with its label and slip until the next parcel
    last: PackingSession | None = None
    shipment: Shipment | None = None

    @property
    def box_waits_for_label(self) -> bool:
        """The box just packed here (or brought back) is in hand and its label is not checked yet.

        A parcel without a tracking number yet (the carrier's software will issue it) has no label to check.
        """
        return (self.shipment is not None and self.shipment.label_verified_at is None
                and bool(self.shipment.tracking_number) and self.last.set_aside_at is None)


def station_state(station: str, settings: ShippingSettings | None = None) -> StationState:
    return state_of(_latest_session(station), settings)


def state_of(latest: PackingSession | None, settings: ShippingSettings | None = None,
             shipment: Shipment | None = None) -> StationState:
    """The state of a station whose latest session is `latest` (and, when packed, `shipment`, if already read)."""
    if latest is None or latest.status not in ('open', 'packed'):
        return StationState(None)
    if latest.status == 'open':
        return StationState(latest)
    shipment = shipment if shipment is not None else shipment_of(latest.order_id)
    state = StationState(None, latest, shipment)
    if shipment is not None and shipment.shipped_at is not None:
        return StationState(None)
    settings = settings or shipping_settings()
    # with the label check on, the box holds the station until its own label is scanned on it
    if latest.blocked_message or (state.box_waits_for_label and (settings.require_label_scan
                                                                 or latest.kind == 'label')):
        state.current = latest
    return state


def set_aside(session: PackingSession, *, actor) -> None:
    """The packed box waiting for its label goes aside (its label would not print): the station is free.

    Its label is still to be checked, later, with the box in hand; until then it may not ship.
    """
    if session.status != 'packed' or session.blocked_message:
        raise UserError(_l('Only a packed box waiting for its label can be put aside.'))
    session.set_aside_at = utcnow()
    _record(session.station, actor, 'ASIDE', 'set_aside', _l('box put aside, label to check later'), session)
    db.session.flush()


def station_parcel(station: str) -> PackingSession | None:
    """The parcel the station is held by, for the packer's deliberate acts (Esc, override, reset)."""
    return station_state(station).current


def packing_lines(session: PackingSession) -> list[dict]:
    """Each line of the parcel with how many units are expected and how many were scanned."""
    # one query for the parcel's lines, their products and their counts: this runs on every scan at every station
    scanned = (sa.select(sa.func.count(ScanEvent.id))
               .where(ScanEvent.session_id == session.id, ScanEvent.order_line_id == OrderLine.id,
                      ScanEvent.result.in_(('ok', 'override')))
               .correlate(OrderLine).scalar_subquery())
    rows = db.session.execute(
        sa.select(OrderLine, scanned).join(Order, Order.id == OrderLine.order_id)
        .where(sa.or_(Order.id == session.order_id, Order.combined_into_id == session.order_id))
        .options(so.joinedload(OrderLine.product), so.joinedload(OrderLine.order))
        .order_by(OrderLine.order_id, OrderLine.line_no)).unique().all()
    # a packed box brought back for its label check: its units were counted by the packing before
    brought_back = session.kind == 'label'
    return [{'line': line, 'expected': line.quantity, 'scanned': line.quantity if brought_back else count,
             'product': line.product} for line, count in rows]


def orders_of(session: PackingSession, lines: list[dict]) -> list[Order]:
    """The parcel's orders as parcel_orders() gives them (its own first), from its lines already read."""
    orders = {entry['line'].order_id: entry['line'].order for entry in lines}
    return sorted(orders.values(), key=lambda order: (order.id != session.order_id, order.id))


def parcel_items(lines: list[dict]) -> list[dict]:
    """The parcel as the packer sees it: each product once, with the units of every order combined in it."""
    items = {}
    for entry in lines:
        line = entry['line']
        key = line.product_id or f'code:{line.item_code}'
        item = items.setdefault(key, {'name': line.name, 'product': entry['product'], 'code': line.item_code,
                                      'expected': 0, 'scanned': 0, 'line_ids': set()})
        item['expected'] += entry['expected']
        item['scanned'] += entry['scanned']
        item['line_ids'].add(line.id)
    return list(items.values())


REQUEST_KINDS = {'gift_wrap': _l('Gift wrapping'), 'noshi': _l('Noshi (のし)'),
                 'customer_comment': _l("Customer's comment"), 'delivery': _l('Requested delivery')}


def customer_requests(orders: list[Order]) -> list[dict]:
    """What the customers of a parcel asked for, each with its order: the packer must read it before the box closes."""
    requests = []
    for order in orders:
        for kind in ('gift_wrap', 'noshi', 'customer_comment'):
            text = (getattr(order, kind) or '').strip()
            if text:
                requests.append({'order': order.number, 'kind': kind, 'label': REQUEST_KINDS[kind], 'text': text})
        if order.delivery_date or order.delivery_time_slot:
            when = ' '.join(filter(None, (order.delivery_date and f'{order.delivery_date:%Y-%m-%d}',
                                          order.delivery_time_slot)))
            requests.append({'order': order.number, 'kind': 'delivery', 'label': REQUEST_KINDS['delivery'],
                             'text': when})
    return requests


def must_be_read(requests: list[dict]) -> bool:
    """Whether the packer must confirm the requests before the box closes: a delivery wish alone is the label's.

    Gift wrapping, のし and a comment change what goes into the box; a delivery date and slot only go on the
    label, and a confirmation on every other parcel would teach packers to confirm without reading.
    """
    return any(r['kind'] != 'delivery' for r in requests)


def _shipped_message(order: Order, shipment: Shipment | None) -> str:
    if shipment is None or shipment.shipped_at is None:
        return str(_l('Order %(number)s was already shipped.', number=order.number))
    return str(_l('Order %(number)s was already shipped on %(when)s by %(user)s (%(tracking)s).',
                  number=order.number, when=f'{shipment.shipped_at.astimezone(JST):%Y-%m-%d %H:%M}',
                  user=shipment.shipped_by.name if shipment.shipped_by else '—',
                  tracking=shipment.tracking_number or '—'))


def station_scan(code: str, *, station: str, actor, settings: ShippingSettings | None = None) -> ScanOutcome:
    """One code scanned at a station, whatever it is: an order barcode, a unit, or a label.

    While the station is stopped, every scan is refused and recorded.  With an order open, a unit is counted
    or stops the station; its own order barcode confirms the customer's requests; anything else stops it.
    With a packed box in hand and its label unchecked, only that box's label is accepted.
    """
    code = (code or '').strip()
    settings = settings or shipping_settings()
    state = station_state(station, settings)
    current = state.current
    if current is not None and current.blocked_message:
        return _refused_during_stop(current, code, actor)
    label = scanned_tracking_number(code)
    if current is not None and current.status == 'open':
        return _scan_while_packing(current, code, label, actor, settings)
    if state.box_waits_for_label and (current is not None or label):
        return _scan_label(state.last, state.shipment, code, label, actor)
    shipment = shipment_by_label(label)
    if shipment is not None:
        if shipment.shipped_at is not None:
            message = _shipped_message(shipment.order, shipment)
        else:
            message = _l('A label is checked on its own box: scan the order barcode of %(number)s on the box '
                         'or its packing slip first, then the label.', number=shipment.order.number)
        _record(station, actor, code, 'label_no_box', message, order_id=shipment.order_id)
        return ScanOutcome(False, str(message), 'label_no_box')
    return open_packing(code, station=station, actor=actor)


def _scan_while_packing(session: PackingSession, code: str, label: str | None, actor,
                        settings: ShippingSettings) -> ScanOutcome:
    order_id = order_number_in(code)
    if order_id == session.order_id:
        return confirm_requests(session, actor=actor, code=code, settings=settings)
    if order_id is not None:
        lines = packing_lines(session)
        return _stop(session, actor, code, lines, 'other_order', _l(
            'ANOTHER ORDER: %(code)s was scanned while %(number)s is being packed. Finish %(number)s, or reset it, '
            'before opening another order.', code=code, number=session.order.number))
    other = shipment_by_label(label)
    if other is not None:
        return _stop(session, actor, code, packing_lines(session), 'label_mismatch', _l(
            'WRONG LABEL: %(code)s is the label of %(other)s; %(number)s is still being packed.',
            code=code, other=other.order.number, number=session.order.number))
    return scan(session, code, actor=actor, settings=settings)


def open_packing(code: str, *, station: str, actor) -> ScanOutcome:
    """Scan (or type) an order number: its lines appear; an order being packed elsewhere is refused.

    A packed parcel whose label was not checked yet opens for its label check: the box is in hand.
    """
    code = (code or '').strip()
    order_id = Order.id_from_number(code)
    order = locked_order(order_id) if order_id else None
    if order is None:
        message = (_l('No order has the number "%(code)s".', code=code) if order_id else
                   _l('Unknown code "%(code)s": scan an order barcode first.', code=code))
        _record(station, actor, code, 'unknown_code', message)
        return ScanOutcome(False, str(message), 'unknown_code')
    if order.combined_into_id:
        carrier = db.session.get(Order, order.combined_into_id)
        message = _l('Order %(number)s travels in the parcel of %(carrier)s: scan that order.', number=order.number,
                     carrier=carrier.number)
        _record(station, actor, code, 'not_packable', message, order_id=order.id)
        return ScanOutcome(False, str(message), 'not_packable')
    if order.status in ('packed', 'shipped'):
        return _open_label_check(order, code, station=station, actor=actor)
    if order.status != 'picking' or _held([o.id for o in parcel_orders(order)]):
        held = _held([o.id for o in parcel_orders(order)])
        message = (_l('Order %(number)s cannot be packed: it is on hold.', number=order.number) if held else
                   _l('Order %(number)s cannot be packed: it is %(status)s.', number=order.number,
                      status=STATUS_LABELS[order.status]))
        _record(station, actor, code, 'not_packable', message, order_id=order.id)
        return ScanOutcome(False, str(message), 'not_packable')
    session = db.session.scalar(sa.select(PackingSession).where(PackingSession.order_id == order.id,
                                                                PackingSession.status == 'open'))
    if session is not None and session.station != station:
        message = _l('Order %(number)s is being packed at station %(station)s by %(user)s.', number=order.number,
                     station=session.station, user=session.user.name if session.user else '?')
        _record(station, actor, code, 'not_packable', message, order_id=order.id)
        return ScanOutcome(False, str(message), 'not_packable')
    if session is None:
        session = PackingSession(order=order, station=station, user=actor)
        db.session.add(session)
        db.session.flush()
    _record(station, actor, code, 'order', _l('Packing %(number)s', number=order.number), session)
    return ScanOutcome(True, str(_l('Packing %(number)s', number=order.number)), 'order', session,
                       lines=packing_lines(session))


def _open_label_check(order: Order, code: str, *, station: str, actor) -> ScanOutcome:
    shipment = shipment_of(order.id)
    if order.status == 'shipped' or (shipment is not None and shipment.shipped_at is not None):
        message = _shipped_message(order, shipment)
    elif shipment is None or shipment.label_verified_at is not None:
        message = _l('Order %(number)s is packed and its label was checked: it waits at the dock.',
                     number=order.number)
    else:
        session = PackingSession(order=order, station=station, user=actor, kind='label', status='packed',
                                 finished_at=utcnow())
        db.session.add(session)
        db.session.flush()
        message = _l('Label check of %(number)s: scan the label on this box.', number=order.number)
        _record(station, actor, code, 'order', message, session)
        return ScanOutcome(True, str(message), 'order', session, shipment, lines=packing_lines(session))
    _record(station, actor, code, 'not_packable', message, order_id=order.id)
    return ScanOutcome(False, str(message), 'not_packable')


def scan(session: PackingSession, code: str, *, actor, settings: ShippingSettings | None = None) -> ScanOutcome:
    """One scanned unit (JAN or SKU) of the open parcel."""
    code = (code or '').strip()
    station = session.station
    if session.status != 'open':
        raise UserError(_l('This packing was reset; scan the order again.'))
    if session.blocked_message:
        return _refused_during_stop(session, code, actor)
    product = find_product_by_code(code)
    lines = packing_lines(session)
    if product is None:
        return _stop(session, actor, code, lines, 'unknown_code',
                     _l('Unknown code "%(code)s": no product has this JAN or SKU.', code=code))
    mine = [entry for entry in lines if entry['line'].product_id == product.id]
    if not mine:
        other = db.session.scalar(sa.select(Order).join(OrderLine).where(
            OrderLine.product_id == product.id, Order.status == 'picking',
            Order.pick_batch_id == session.order.pick_batch_id, Order.id != session.order_id).limit(1))
        expected = ', '.join(f"{e['line'].name} ×{e['expected'] - e['scanned']}" for e in lines
                             if e['scanned'] < e['expected'])
        if other is not None:
            return _stop(session, actor, code, lines, 'other_order', _l(
                'WRONG ORDER: %(name)s belongs to order %(other)s, not to %(number)s. Still expected: %(expected)s',
                name=product.name, other=other.number, number=session.order.number, expected=expected))
        return _stop(session, actor, code, lines, 'wrong_item', _l(
            'WRONG ITEM: %(name)s (%(sku)s) is not in order %(number)s. Still expected: %(expected)s',
            name=product.name, sku=product.sku, number=session.order.number, expected=expected))
    open_line = next((e for e in mine if e['scanned'] < e['expected']), None)
    if open_line is None:
        return _stop(session, actor, code, lines, 'too_many', _l(
            'ONE TOO MANY: order %(number)s needs only %(n)d × %(name)s, all already scanned.',
            number=session.order.number, n=sum(e['expected'] for e in mine), name=product.name))
    _record(station, actor, code, 'ok', '', session, line_id=open_line['line'].id)
    open_line['scanned'] += 1
    counted = sum(e['scanned'] for e in mine)
    outcome = ScanOutcome(True, str(_l('%(name)s %(n)d / %(of)d', name=product.name, n=counted,
                                       of=sum(e['expected'] for e in mine))), 'ok', session,
                          line_id=open_line['line'].id, lines=lines)
    return _finish_if_complete(session, lines, outcome, actor, settings)


def _finish_if_complete(session: PackingSession, lines: list[dict], outcome: ScanOutcome, actor,
                        settings: ShippingSettings | None = None) -> ScanOutcome:
    """Every unit is in: the parcel is packed, unless the customer's requests are still to be read."""
    if any(e['scanned'] < e['expected'] for e in lines):
        return outcome
    if session.requests_confirmed_at is None and must_be_read(customer_requests(orders_of(session, lines))):
        outcome.message = str(_l('Every unit of %(number)s is in. Read the customer\'s requests, then scan the '
                                 'order barcode %(number)s (or press F2) to close the box.',
                                 number=session.order.number))
        return outcome
    outcome.shipment = _pack(session, actor, settings)
    outcome.message = str(_l('Order %(number)s is packed.', number=session.order.number))
    return outcome


def confirm_requests(session: PackingSession, *, actor, code: str = 'F2',
                     settings: ShippingSettings | None = None) -> ScanOutcome:
    """The packer has read the customer's requests (gift wrapping, のし, comment, date) shown on the station."""
    if session.status != 'open':
        raise UserError(_l('This packing is not open.'))
    if session.requests_confirmed_at is None:
        session.requests_confirmed_at = utcnow()
    message = _l("Customer's requests read for %(number)s.", number=session.order.number)
    _record(session.station, actor, code, 'requests_read', message, session)
    lines = packing_lines(session)
    return _finish_if_complete(session, lines, ScanOutcome(True, str(message), 'requests_read', session,
                                                           lines=lines), actor, settings)


def _refused_during_stop(session: PackingSession, code: str, actor) -> ScanOutcome:
    """A code scanned while the station is stopped: refused and recorded, nothing counted, the stop stays."""
    message = _l('Stopped: press Esc once you have read the error. %(error)s', error=session.blocked_message)
    _record(session.station, actor, code, 'blocked', message, session)
    return ScanOutcome(False, str(message), 'blocked', session)


def _stop(session, actor, code, lines, result, message) -> ScanOutcome:
    session.blocked_message = str(message)
    _record(session.station, actor, code, result, message, session)
    return ScanOutcome(False, str(message), result, session, lines=lines)


def acknowledge(session: PackingSession, *, actor) -> ScanOutcome:
    """The packer pressed Esc: they have read the error and put the wrong unit or label aside."""
    if session.blocked_message:
        _record(session.station, actor, 'ACK', 'acknowledged', session.blocked_message, session)
        session.blocked_message = ''
        db.session.flush()
    return ScanOutcome(True, str(_l('Stop cleared: go on scanning %(number)s.', number=session.order.number)),
                       'acknowledged', session, lines=packing_lines(session))


def override(session: PackingSession, line_id: int, *, supervisor, reason: str, actor) -> ScanOutcome:
    """A supervisor counts one unit of a line that cannot be scanned (a torn barcode), with a reason."""
    if supervisor is None or supervisor.role not in ('admin', 'manager'):
        raise UserError(_l('Only a manager can override.'))
    if not (reason or '').strip():
        raise UserError(_l('An override needs a reason.'), field='reason')
    if session.status != 'open':
        raise UserError(_l('This packing is not open.'))
    entry = next((e for e in packing_lines(session) if e['line'].id == line_id), None)
    if entry is None or entry['scanned'] >= entry['expected']:
        raise UserError(_l('That line needs no more units.'))
    session.blocked_message = ''
    _record(session.station, supervisor, f'OVERRIDE by {supervisor.email}', 'override', reason.strip(), session,
            line_id=line_id)
    record_audit(supervisor, 'packing.override', session.order, note=f'{entry["line"].name}: {reason.strip()}')
    lines = packing_lines(session)
    outcome = ScanOutcome(True, str(_l('Counted by override: %(name)s', name=entry['line'].name)), 'override',
                          session, line_id=line_id, lines=lines)
    return _finish_if_complete(session, lines, outcome, actor)


def reset(session: PackingSession, *, actor) -> None:
    """Start this order's packing again from nothing (the scans stay in the record)."""
    if session.status != 'open':
        raise UserError(_l('This packing is not open.'))
    session.status, session.finished_at = 'reset', utcnow()
    _record(session.station, actor, 'RESET', 'acknowledged', _l('packing reset'), session)
    db.session.flush()


def add_tracking_range(carrier: str, first: str, last: str, *, warn_below: int = 500, actor) -> TrackingRange:
    """Record a block of numbers the carrier gave the shop; 12-digit numbers lose their check digit."""
    if carrier not in CARRIERS:
        raise UserError(_l('Unknown carrier "%(carrier)s".', carrier=carrier), field='carrier')

    def body(value: str, field: str) -> int:
        digits = code_text(value)
        if len(digits) == 12 and is_tracking_number(digits):
            digits = digits[:11]
        if len(digits) != 11 or not digits.isdigit():
            raise UserError(_l('"%(value)s" is not an 11-digit number (or a valid 12-digit one).', value=value),
                            field=field)
        return int(digits)

    first_body, last_body = body(first, 'first'), body(last, 'last')
    if last_body < first_body:
        raise UserError(_l('The last number comes before the first.'), field='last')
    overlap = db.session.scalar(sa.select(TrackingRange.id).where(
        TrackingRange.carrier == carrier, TrackingRange.first_body <= last_body,
        TrackingRange.last_body >= first_body))
    if overlap:
        raise UserError(_l('This range overlaps one already recorded for the carrier.'), field='first')
    tracking_range = TrackingRange(carrier=carrier, first_body=first_body, last_body=last_body,
                                   next_body=first_body, warn_below=warn_below)
    db.session.add(tracking_range)
    db.session.flush()
    record_audit(actor, 'tracking.range_added', tracking_range,
                 after={'carrier': carrier, 'first': first_body, 'last': last_body})
    return tracking_range


def low_tracking_ranges() -> list[tuple[str, int]]:
    """Carriers whose numbers are running low: (carrier, numbers left), for the manager's warning."""
    left = defaultdict(int)
    warn = {}
    for tracking_range in db.session.scalars(sa.select(TrackingRange)):
        left[tracking_range.carrier] += tracking_range.remaining
        warn[tracking_range.carrier] = max(warn.get(tracking_range.carrier, 0), tracking_range.warn_below)
    return [(carrier, n) for carrier, n in sorted(left.items()) if n < warn[carrier]]


def next_tracking_number(carrier: str) -> str | None:
    """The next number of the carrier's range, taken under a row lock so two stations never share one."""
    tracking_range = db.session.scalar(
        sa.select(TrackingRange).where(TrackingRange.carrier == carrier, TrackingRange.next_body
                                       <= TrackingRange.last_body)
        .order_by(TrackingRange.id).limit(1).with_for_update().execution_options(populate_existing=True))
    if tracking_range is None:
        return None
    body = tracking_range.next_body
    tracking_range.next_body = body + 1
    db.session.flush()
    return with_tracking_check_digit(f'{body:011d}')


def _pack(session: PackingSession, actor, settings: ShippingSettings | None = None) -> Shipment:
    """Every unit scanned: the parcel becomes a shipment with its tracking number."""
    settings = settings or shipping_settings()
    order = session.order
    carrier = carrier_of(order, settings)
    shipment = Shipment(order=order, carrier=carrier, service=CARRIER_SERVICES[carrier],
                        tracking_number=next_tracking_number(carrier), packed_by=actor, station=session.station)
    db.session.add(shipment)
    session.status, session.finished_at = 'packed', utcnow()
    for member in parcel_orders(order):
        transition(member, 'packed', actor=actor, why=session.station)
    db.session.flush()
    return shipment


def _scan_label(session: PackingSession, shipment: Shipment, code: str, label: str | None, actor) -> ScanOutcome:
    """送り状検品 with the box in hand: the label on it must carry this parcel's tracking number."""
    number = session.order.number
    if label is not None and label == shipment.tracking_number:
        shipment.label_verified_at = utcnow()
        _record(session.station, actor, code, 'label_ok', '', session)
        db.session.flush()
        return ScanOutcome(True, str(_l('Label checked: %(number)s is ready to ship.', number=number)),
                           'label_ok', session, shipment)
    other = shipment_by_label(label)
    order_id = order_number_in(code)
    if other is not None:
        message = _l('WRONG LABEL: %(code)s is the label of %(other)s, but this box is %(number)s '
                     '(label %(tracking)s). Put the wrong label aside.', code=code, other=other.order.number,
                     number=number, tracking=shipment.tracking_number or '—')
    elif order_id is not None:
        other_order = db.session.get(Order, order_id)
        message = _l('NOT A LABEL: %(code)s is the order barcode of %(other)s. This box is %(number)s: scan the '
                     'tracking barcode of its shipping label (%(tracking)s).', code=code,
                     other=other_order.number if other_order else code, number=number,
                     tracking=shipment.tracking_number or '—')
    else:
        message = _l('WRONG LABEL: %(code)s is not the label of %(number)s (%(tracking)s). Scan the tracking '
                     'barcode of the label on this box.', code=code, number=number,
                     tracking=shipment.tracking_number or '—')
    return _stop(session, actor, code, None, 'label_mismatch', message)


def label_printed(shipment: Shipment, *, actor, where: str = '') -> None:
    """A label of the parcel was made for printing: the first is the print, every later one a logged reprint.

    Called once the PDF exists, never before: a refused request prints nothing and counts nothing.
    """
    shipment.label_prints += 1
    if shipment.label_prints > 1:
        record_audit(actor, 'shipment.label_reprinted', shipment.order,
                     note=f'{where or shipment.tracking_number} #{shipment.label_prints}')
    db.session.flush()


# ---------------------------------------------------------------------------------------------- shipping


def ready_to_ship(shipment: Shipment, settings: ShippingSettings | None = None) -> str | None:
    """Why the parcel may not leave yet, or None."""
    settings = settings or shipping_settings()
    if shipment.shipped_at is not None or shipment.order.status == 'shipped':
        return _shipped_message(shipment.order, shipment)
    if shipment.order.status != 'packed':
        return str(_l('Order %(number)s is not packed.', number=shipment.order.number))
    if not shipment.tracking_number:
        return str(_l('Order %(number)s has no tracking number yet.', number=shipment.order.number))
    if settings.require_label_scan and shipment.label_verified_at is None:
        return str(_l('The label of order %(number)s was not scanned on the box.', number=shipment.order.number))
    return None


def ship(shipment: Shipment, *, actor) -> None:
    """The parcel leaves: its stock leaves the ledger, its orders are shipped, the customer is told."""
    lock_order(shipment.order)
    problem = ready_to_ship(shipment)
    if problem:
        raise UserError(problem)
    orders = parcel_orders(shipment.order)
    ids = [o.id for o in orders]
    allocations = db.session.scalars(sa.select(Allocation).where(Allocation.order_id.in_(ids))).all()
    totals = defaultdict(int)
    for allocation in allocations:
        totals[(allocation.product_id, allocation.location_id)] += allocation.quantity
    apply_stock_changes([StockChange(p, loc, on_hand_delta=-q, allocated_delta=-q, reason=MovementReason.shipment,
                                     reference=shipment.order.number) for (p, loc), q in totals.items()],
                        actor=actor)
    db.session.execute(sa.delete(Allocation).where(Allocation.order_id.in_(ids)))
    shipment.shipped_at, shipment.shipped_by = utcnow(), actor
    for order in orders:
        transition(order, 'shipped', actor=actor, why=shipment.tracking_number or '')
    order_shipped.send(shipment, orders=orders, actor=actor)
    db.session.flush()


def dock_scan(code: str, *, actor) -> Shipment:
    """A parcel scanned at the dock by its label or the order number on its slip: it ships, or says why not."""
    code = (code or '').strip()
    label = scanned_tracking_number(code)
    shipment = shipment_by_label(label)
    if shipment is None:
        order_id = None if label else Order.id_from_number(code)
        order = db.session.get(Order, order_id) if order_id else None
        if order is not None and order.combined_into_id:
            order = db.session.get(Order, order.combined_into_id)
        shipment = order and shipment_of(order.id)
        if shipment is None:
            if order is None:
                raise UserError(_l('No packed parcel has the label or order number "%(code)s".', code=code))
            raise UserError(_l('Order %(number)s is not packed: it is %(status)s.', number=order.number,
                               status=STATUS_LABELS[order.status]))
    ship(shipment, actor=actor)
    return shipment


def batch_parcels_to_ship(batch: PickBatch) -> tuple[list[Shipment], list[Shipment]]:
    """The batch's packed parcels still here: those ready to leave, and those that may not yet."""
    settings = shipping_settings()
    shipments = db.session.scalars(sa.select(Shipment).join(Order).where(
        Order.pick_batch_id == batch.id, Shipment.shipped_at.is_(None)).options(so.contains_eager(Shipment.order))
        .order_by(Shipment.id)).all()
    ready, waiting = [], []
    for shipment in shipments:
        (waiting if ready_to_ship(shipment, settings) else ready).append(shipment)
    return ready, waiting


def ship_batch(batch: PickBatch, *, actor) -> tuple[int, list[str]]:
    """Ship every ready parcel of a batch; the others stay, each with the reason."""
    shipped, refused = 0, []
    shipments = db.session.scalars(sa.select(Shipment).join(Order).where(
        Order.pick_batch_id == batch.id, Shipment.shipped_at.is_(None))).all()
    for shipment in shipments:
        savepoint = db.session.begin_nested()
        try:
            ship(shipment, actor=actor)
        except UserError as exc:
            savepoint.rollback()
            refused.append(str(exc))
        else:
            savepoint.commit()
            shipped += 1
    unpacked = db.session.scalars(sa.select(Order).where(Order.pick_batch_id == batch.id, Order.status == 'picking',
                                                         Order.combined_into_id.is_(None))).all()
    refused += [str(_l('Order %(number)s was never packed (scan-verified).', number=o.number)) for o in unpacked]
    return shipped, refused
