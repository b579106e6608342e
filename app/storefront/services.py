"""The shop's rules: what is for sale, what a cart costs, and placing an order without overselling."""
import dataclasses
import datetime as dt
import secrets
from collections import defaultdict

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from app.catalog.models import Product
from app.database import utcnow
from app.errors import UserError
from app.extensions import db
from app.inventory.services import lock_levels
from app.orders.models import Order
from app.orders.money import included_tax
from app.orders.services import NotReserved, create_orders, plan
from app.settings.services import ShopSettings, shop_settings
from app.storefront.models import LookupFailure
from importers.base import JST
from importers.orders.records import LineRecord, OrderRecord, ParseResult


PAYMENT_METHODS = ('bank_transfer', 'cod')


# ---------------------------------------------------------------------------------------------- catalogue


def shop_products(q: str = '') -> sa.Select:
    """Products for sale: published and active; `q` matches the name or the SKU."""
    query = sa.select(Product).where(Product.published, Product.active)
    if q:
        query = query.where(sa.or_(Product.name.contains(q, autoescape=True), Product.sku == q))
    return query.order_by(Product.sku)


def stock_label(available: int, settings: ShopSettings) -> str:
    if available <= 0:
        return 'sold_out'
    return 'few' if available <= settings.few_left else 'in_stock'


# ---------------------------------------------------------------------------------------------- money


@dataclasses.dataclass(frozen=True)
class Totals:
    items: int
    shipping_fee: int
    cod_fee: int
    #: rate -> (amount at that rate, consumption tax included in it)
    tax_by_rate: dict[int, tuple[int, int]]

    @property
    def total(self) -> int:
        return self.items + self.shipping_fee + self.cod_fee


def totals(lines: list[tuple[int, int, int]], payment_method: str, settings: ShopSettings) -> Totals:
    """Totals for (unit price, quantity, tax rate) lines; shipping and the COD fee are taxed at 10%."""
    items = sum(price * quantity for price, quantity, _ in lines)
    shipping = 0 if settings.free_shipping_over and items >= settings.free_shipping_over else settings.shipping_fee
    cod = settings.cod_fee if payment_method == 'cod' else 0
    by_rate = defaultdict(int)
    for price, quantity, rate in lines:
        by_rate[rate] += price * quantity
    by_rate[10] += shipping + cod
    return Totals(items, shipping, cod, {rate: (amount, included_tax(amount, rate))
                                         for rate, amount in sorted(by_rate.items(), reverse=True) if amount})


def delivery_dates(settings: ShopSettings, today: dt.date | None = None) -> list[dt.date]:
    today = today or dt.datetime.now(JST).date()
    first = settings.earliest_delivery_days
    return [today + dt.timedelta(days=n) for n in range(first, first + settings.delivery_window_days + 1)]


# ---------------------------------------------------------------------------------------------- checkout


@dataclasses.dataclass(frozen=True)
class Checkout:
    """What the customer typed on the checkout form, already checked by the form."""

    name: str
    kana: str
    email: str
    phone: str
    postal_code: str
    prefecture: str
    city: str
    address1: str
    address2: str
    delivery_date: dt.date | None
    time_slot: str
    payment_method: str
    comment: str = ''


class OutOfStock(UserError):
    """Someone else bought the last units first; the message names what is missing."""


def place_order(checkout: Checkout, cart: list[tuple[int, int]], *, locale: str = 'ja') -> Order:
    """Turn a cart into a store order, with its stock reserved, in the caller's one transaction.

    The stock rows are locked before they are counted, so two customers buying the last unit at
    the same moment cannot both succeed: the second one sees it gone and gets OutOfStock.
    :param cart: (product id, quantity) pairs
    """
    if not cart:
        raise UserError(_l('Your cart is empty.'))
    if checkout.payment_method not in PAYMENT_METHODS:
        raise UserError(_l('Choose a payment method.'), field='payment_method')
    settings = shop_settings()
    products = {p.id: p for p in db.session.scalars(sa.select(Product).where(
        Product.id.in_([pid for pid, _ in cart]), Product.published, Product.active))}
    available = defaultdict(int)
    for level in lock_levels(products, allocatable_only=True):
        available[level.product_id] += level.available
    short = [(products.get(pid), quantity) for pid, quantity in cart
             if pid not in products or available[pid] < quantity]
    if short:
        missing = []
        for product, _quantity in short:
            if product is None:
                missing.append(str(_l('an item no longer sold')))
            else:
                missing.append(str(_l('%(name)s (%(n)d left)', name=product.name, n=max(available[product.id], 0))))
        raise OutOfStock(_l('Sorry, not enough stock any more: %(items)s. Your cart is kept; change it and order '
                            'again.', items=', '.join(missing)))
    lines = [LineRecord(line=0, channel_line_id='', item_code=products[pid].sku, jan=products[pid].jan or '',
                        name=products[pid].name, option_text='', quantity=quantity,
                        unit_price=products[pid].price, tax_rate=products[pid].tax_rate) for pid, quantity in cart]
    money = totals([(line.unit_price, line.quantity, line.tax_rate) for line in lines], checkout.payment_method,
                   settings)
    now = utcnow()
    record = OrderRecord(
        line=0, channel='store', external_order_id=f'S{now.astimezone(JST):%Y%m%d%H%M%S}-{secrets.token_hex(3)}',
        ordered_at=now, buyer_name=checkout.name, buyer_kana=checkout.kana, buyer_email=checkout.email,
        buyer_phone=checkout.phone, ship_name=checkout.name, ship_kana=checkout.kana,
        ship_postal_code=checkout.postal_code, ship_prefecture=checkout.prefecture, ship_city=checkout.city,
        ship_address1=checkout.address1, ship_address2=checkout.address2, ship_phone=checkout.phone,
        payment_method=checkout.payment_method, shipping_fee=money.shipping_fee, cod_fee=money.cod_fee,
        total=money.total, delivery_date=checkout.delivery_date, delivery_time_slot=checkout.time_slot,
        gift_wrap='', noshi='', customer_comment=checkout.comment, lines=lines, amount_due=money.total)
    # the same way in as an imported order: holds by the manager's rules, confirmation, the stock reserved
    # the holds' notes are for the shop's clerks, so in the shop's language whatever the customer's
    with force_locale(current_app.config['BABEL_DEFAULT_LOCALE']):
        summary = plan('store', ParseResult([record], []))
    if summary.problems:
        summary = plan('store', ParseResult([record], []))   # again, to tell the customer in their language
        raise UserError('; '.join(p.message for p in summary.problems))
    try:
        created = create_orders('store', summary.planned, locale=locale, reserve='all')
    except NotReserved:
        raise OutOfStock(_l('Sorry, not enough stock any more. Your cart is kept.')) from None
    return db.session.get(Order, created.ids[0])


# ---------------------------------------------------------------------------------------------- order status


LOOKUP_WINDOW = dt.timedelta(minutes=15)
LOOKUP_LIMIT = 5


class TooManyLookups(UserError):
    """Too many wrong guesses from one client: it waits before it may try again."""


def find_customer_order(number: str, email: str, *, client: str) -> Order | None:
    """The order with this number and this e-mail address, or None; wrong guesses are counted and slowed down.

    Both must match: an order number alone shows nothing, so nobody sees another customer's order.
    """
    since = utcnow() - LOOKUP_WINDOW
    failures = db.session.scalar(sa.select(sa.func.count(LookupFailure.id)).where(
        LookupFailure.client == client, LookupFailure.at >= since))
    if failures >= LOOKUP_LIMIT:
        raise TooManyLookups(_l('Too many attempts. Please wait %(minutes)d minutes and try again.',
                                minutes=LOOKUP_WINDOW.seconds // 60))
    order_id = Order.id_from_number(number or '')
    order = db.session.get(Order, order_id) if order_id else None
    if order is None or not email or order.buyer_email.strip().lower() != email.strip().lower():
        db.session.execute(sa.delete(LookupFailure).where(LookupFailure.at < since))
        db.session.add(LookupFailure(client=client[:64]))
        db.session.flush()
        return None
    return order


def find_order_quietly(number: str, email: str) -> Order | None:
    """The order a customer already found (the page's own hidden fields): read without counting a failure."""
    order_id = Order.id_from_number(number or '')
    order = db.session.get(Order, order_id) if order_id else None
    if order is None or not email or order.buyer_email.strip().lower() != email.strip().lower():
        return None
    return order


CUSTOMER_STATUS = {'new': 'received', 'confirmed': 'received', 'allocated': 'preparing', 'backordered': 'preparing',
                   'picking': 'preparing', 'packed': 'preparing', 'shipped': 'shipped', 'cancelled': 'cancelled',
                   'returned': 'returned'}
