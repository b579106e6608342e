"""Orders a clerk enters by hand (電話・FAX・メール注文), and an order duplicated from another.

What the clerk typed becomes an OrderRecord, as a file's row or the shop's checkout does, and takes
the same way in: plan() for the holds by the manager's rules and the address check, create_orders()
for the stock, the history and the confirmation e-mail.  Nothing is written unless every line is
right: an unknown code, a bad quantity or a changed price without its reason refuses the whole order.
"""
import dataclasses
import datetime as dt
import secrets

import sqlalchemy as sa
from flask_babel import lazy_gettext as _l

from app.accounts.services import clean_email, record_audit
from app.catalog.models import Product
from app.catalog.services import find_product_by_code
from app.database import utcnow
from app.errors import UserError
from app.extensions import db
from app.orders.models import MANUAL_SOURCES, PAYMENT_METHODS, Order
from app.orders.services import create_orders, plan
from importers.base import JST
from importers.orders.records import LineRecord, OrderRecord, ParseResult


CHANNEL = 'manual'
#: the most units one line may ask for: a typo's extra zeros are caught, a real wholesale order is not
MAX_QUANTITY = 9999


@dataclasses.dataclass
class ManualLine:
    """One line as the clerk left it: the code scanned or typed, the quantity, and a price when changed."""

    code: str
    quantity: int | None
    #: yen per unit, tax included; None: the catalogue's price
    unit_price: int | None = None
    #: why the price differs from the catalogue's (recorded on the order's history)
    price_reason: str = ''


@dataclasses.dataclass
class ManualOrder:
    """What the clerk typed on the order-entry screen, as text and numbers the form already read."""

    source: str
    buyer_name: str
    buyer_kana: str
    buyer_email: str
    buyer_phone: str
    ship_name: str
    ship_kana: str
    ship_postal_code: str
    ship_prefecture: str
    ship_city: str
    ship_address1: str
    ship_address2: str
    ship_phone: str
    payment_method: str
    shipping_fee: int
    cod_fee: int
    delivery_date: dt.date | None
    delivery_time_slot: str
    gift_wrap: str
    noshi: str
    comment: str
    lines: list[ManualLine]


def product_for_code(code: str) -> Product:
    """The product a scanned or typed SKU or JAN names, or a refusal naming the code."""
    product = find_product_by_code(code)
    if product is None:
        raise UserError(_l('No product has the SKU or JAN "%(code)s".', code=code.strip()), field='code')
    if not product.active:
        raise UserError(_l('%(sku)s %(name)s is no longer sold.', sku=product.sku, name=product.name), field='code')
    return product


def search_products(text: str, *, limit: int = 10) -> list[Product]:
    """Products sold whose name contains the text, for a clerk who has no code at hand."""
    text = (text or '').strip()
    if not text:
        return []
    query = sa.select(Product).where(Product.active, Product.name.contains(text, autoescape=True))
    return list(db.session.scalars(query.order_by(Product.sku).limit(limit)))


def _check_lines(lines: list[ManualLine]) -> list[tuple[ManualLine, Product]]:
    if not lines:
        raise UserError(_l('The order has no lines: scan or type a SKU or JAN to add one.'), field='code')
    problems, checked = [], []
    for number, line in enumerate(lines, 1):
        product = find_product_by_code(line.code)
        if product is None or not product.active:
            problems.append(str(_l('line %(n)d: no product sold has the SKU or JAN "%(code)s"', n=number,
                                   code=line.code)))
            continue
        if line.quantity is None or not 1 <= line.quantity <= MAX_QUANTITY:
            problems.append(str(_l('line %(n)d (%(sku)s): the quantity must be a whole number from 1 to %(most)d',
                                   n=number, sku=product.sku, most=MAX_QUANTITY)))
        if line.unit_price is not None and line.unit_price < 0:
            problems.append(str(_l('line %(n)d (%(sku)s): the price cannot be below 0 yen', n=number,
                                   sku=product.sku)))
        elif (line.unit_price is not None and line.unit_price != product.price
              and not line.price_reason.strip()):
            problems.append(str(_l('line %(n)d (%(sku)s): the price differs from the catalogue\'s %(price)s yen: '
                                   'say why', n=number, sku=product.sku, price=f'{product.price:,}')))
        checked.append((line, product))
    if problems:
        raise UserError(_l('The order was not saved: %(problems)s.', problems='; '.join(problems)))
    return checked


def _clean(entry: ManualOrder) -> ManualOrder:
    from importers.orders.normalize import phone, postal_code

    if entry.source not in MANUAL_SOURCES:
        raise UserError(_l('Say how the order came in: phone, fax or e-mail.'), field='source')
    if entry.payment_method not in PAYMENT_METHODS:
        raise UserError(_l('Choose a payment method.'), field='payment_method')
    if not entry.buyer_name.strip():
        raise UserError(_l('The name is required.'), field='buyer_name')
    if not entry.ship_name.strip():
        raise UserError(_l('The name is required.'), field='ship_name')
    if entry.buyer_email.strip():
        clean_email(entry.buyer_email.strip(), field='buyer_email')
    for name in ('shipping_fee', 'cod_fee'):
        if getattr(entry, name) is None or getattr(entry, name) < 0:
            raise UserError(_l('A fee is 0 yen or more.'), field=name)
    values = {}
    for name, normalise in (('ship_postal_code', postal_code), ('buyer_phone', phone), ('ship_phone', phone)):
        try:
            values[name] = normalise(getattr(entry, name) or '')
        except ValueError as exc:
            raise UserError(str(exc), field=name) from None
    text = {f.name: getattr(entry, f.name).strip() for f in dataclasses.fields(entry)
            if isinstance(getattr(entry, f.name), str)}
    return dataclasses.replace(entry, **{**text, **values})


def enter_order(entry: ManualOrder, *, actor, duplicate_of: Order | None = None) -> Order:
    """Create the order a clerk entered, through the orders service; flush, never commit.

    Returns the order, allocated, backordered or held as an imported order would be.  Its history
    says who entered it and how it came in, each changed price with its reason, and for a duplicate
    the order it was copied from (that order's history names the copy).
    """
    entry = _clean(entry)
    checked = _check_lines(entry.lines)
    lines = [LineRecord(line=0, channel_line_id='', item_code=product.sku, jan=product.jan or '', name=product.name,
                        option_text='', quantity=line.quantity,
                        unit_price=product.price if line.unit_price is None else line.unit_price,
                        tax_rate=product.tax_rate) for line, product in checked]
    total = sum(line.unit_price * line.quantity for line in lines) + entry.shipping_fee + entry.cod_fee
    now = utcnow()
    record = OrderRecord(
        line=0, channel=CHANNEL, external_order_id=f'M{now.astimezone(JST):%Y%m%d%H%M%S}-{secrets.token_hex(3)}',
        ordered_at=now, buyer_name=entry.buyer_name, buyer_kana=entry.buyer_kana, buyer_email=entry.buyer_email,
        buyer_phone=entry.buyer_phone, ship_name=entry.ship_name, ship_kana=entry.ship_kana,
        ship_postal_code=entry.ship_postal_code, ship_prefecture=entry.ship_prefecture, ship_city=entry.ship_city,
        ship_address1=entry.ship_address1, ship_address2=entry.ship_address2, ship_phone=entry.ship_phone,
        payment_method=entry.payment_method, shipping_fee=entry.shipping_fee, cod_fee=entry.cod_fee, total=total,
        delivery_date=entry.delivery_date, delivery_time_slot=entry.delivery_time_slot, gift_wrap=entry.gift_wrap,
        noshi=entry.noshi, customer_comment=entry.comment, lines=lines, amount_due=total)
    summary = plan(CHANNEL, ParseResult([record], []))
    if summary.problems:
        raise UserError('; '.join(p.message for p in summary.problems))
    created = create_orders(CHANNEL, summary.planned, actor=actor)
    order = db.session.get(Order, created.ids[0])
    order.source = entry.source
    entered = {'source': entry.source}
    if duplicate_of is not None:
        order.duplicated_from_id = duplicate_of.id
        entered['from'] = duplicate_of.number
        record_audit(actor, 'order.duplicated', duplicate_of, after={'copy': order.number})
    record_audit(actor, 'order.entered', order, after=entered)
    for line_no, (line, product) in enumerate(checked, 1):
        if line.unit_price is not None and line.unit_price != product.price:
            record_audit(actor, 'order.price_override', order,
                         before={'line': line_no, 'sku': product.sku, 'unit_price': product.price},
                         after={'unit_price': line.unit_price}, note=line.price_reason.strip())
    db.session.flush()
    return order


def entry_from_order(order: Order) -> ManualOrder:
    """A new manual order prefilled from an existing one (a re-send, an exchange without a return).

    The lines keep the original's prices; a line whose price is no longer the catalogue's says so, for
    the clerk to keep (with a reason) or put back.
    """
    lines = []
    for line in order.lines:
        product = line.product
        code = product.sku if product is not None else line.item_code
        price = None if product is not None and product.price == line.unit_price else line.unit_price
        reason = str(_l('as on %(number)s', number=order.number)) if price is not None else ''
        lines.append(ManualLine(code, line.quantity, price, reason))
    return ManualOrder(
        source=order.source or 'phone', buyer_name=order.buyer_name, buyer_kana=order.buyer_kana,
        buyer_email=order.buyer_email, buyer_phone=order.buyer_phone, ship_name=order.ship_name,
        ship_kana=order.ship_kana, ship_postal_code=order.ship_postal_code, ship_prefecture=order.ship_prefecture,
        ship_city=order.ship_city, ship_address1=order.ship_address1, ship_address2=order.ship_address2,
        ship_phone=order.ship_phone, payment_method=order.payment_method, shipping_fee=order.shipping_fee,
        cod_fee=order.cod_fee, delivery_date=None, delivery_time_slot=order.delivery_time_slot,
        gift_wrap=order.gift_wrap, noshi=order.noshi, comment='', lines=lines)
