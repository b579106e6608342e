"""Message templates: the kinds of e-mail, their default texts, and rendering in a sandbox.

Every kind has a subject, a plain-text body and an HTML body per language (Japanese and
English).  The defaults live in ``defaults/<kind>/<locale>/`` (subject.txt, text.txt, html.html);
a manager may replace them on the templates screen, which stores an ``EmailTemplate`` row.
Templates are Jinja, rendered in a ``SandboxedEnvironment`` (a template cannot reach Python
internals) with ``StrictUndefined`` (a misspelt name is an error, not an empty string), so that a
template that does not render is refused when it is saved rather than sending broken e-mail.

Both environments drop the lines that hold only a ``{% ... %}`` tag (trim_blocks, lstrip_blocks),
so plain-text templates can use one tag per line without leaving empty lines behind.
"""
import contextvars
import dataclasses
import datetime as dt
import functools
import time
import traceback
from collections.abc import Callable
from pathlib import Path

from babel.dates import format_date, format_datetime
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from jinja2 import StrictUndefined, TemplateSyntaxError
from jinja2.exceptions import SecurityError
from jinja2.sandbox import SandboxedEnvironment

from app.fulfilment.models import Shipment
from app.fulfilment.services import CARRIER_NAMES, cod_to_collect, shipping_settings, tracking_url
from app.orders.models import OWN_CHANNELS, Order, OrderLine
from app.orders.money import included_tax
from app.orders.vocabulary import CHANNEL_LABELS, EMAIL_KIND_LABELS, PAYMENT_LABELS
from app.returns.models import Refund, Return, ReturnLine, ReturnReason
from app.returns.vocabulary import REFUND_METHOD_LABELS
from importers.base import JST


DEFAULTS = Path(__file__).resolve().parent / 'defaults'
LOCALES = ('ja', 'en')
PARTS = ('subject', 'text_body', 'html_body')
_FILES = {'subject': 'subject.txt', 'text_body': 'text.txt', 'html_body': 'html.html'}
#: the longest subject kept (the column's size); a longer one is cut
SUBJECT_LIMIT = 500


def yen(value) -> str:
    """1080 -> ¥1,080 (negative amounts: -¥100)."""
    return f'-¥{-value:,}' if value < 0 else f'¥{value:,}'


def comma(value) -> str:
    """1080 -> 1,080, for Japanese texts that write 1,080円."""
    return f'{value:,}'


#: what one part of one message may cost: steps (loop turns, calls, lookups), seconds, and characters
#: written; an e-mail needs a few hundred steps, and a stored template is rendered inside a checkout
RENDER_STEPS = 100_000
RENDER_SECONDS = 0.5
RENDER_CHARACTERS = 200_000

_budget: contextvars.ContextVar['_Budget | None'] = contextvars.ContextVar('template_budget', default=None)


class TooCostly(SecurityError):
    """A template that would do far more work, or write far more, than any e-mail needs."""


class _Budget:
    def __init__(self):
        self.steps = 0
        self.deadline = time.monotonic() + RENDER_SECONDS

    def spend(self) -> None:
        self.steps += 1
        if self.steps > RENDER_STEPS:
            raise TooCostly(str(_l('the template takes more than %(n)s steps (loop turns, calls and lookups); '
                                   'an e-mail needs a few hundred', n=f'{RENDER_STEPS:,}')))
        if self.steps % 256 == 0 and time.monotonic() > self.deadline:
            raise TooCostly(str(_l('the template takes longer than %(s)s s to render', s=RENDER_SECONDS)))


def _spend() -> None:
    budget = _budget.get()
    if budget is not None:
        budget.spend()


def _sized(*values) -> None:
    """Refuse a count that would make a text or list too long to ever be an e-mail ('x' * 10**9, center(10**9))."""
    for value in values:
        if isinstance(value, int) and not isinstance(value, bool) and abs(value) > RENDER_CHARACTERS:
            raise TooCostly(str(_l('the number %(n)s is too large for a text of an e-mail', n=value)))


def _made(value):
    """A text or list made by a call: too long, it is refused before it is written or used again."""
    if isinstance(value, (str, list, tuple)) and len(value) > RENDER_CHARACTERS:
        raise TooCostly(str(_l('the template makes a text longer than %(n)s characters', n=f'{RENDER_CHARACTERS:,}')))
    return value


#: filters and methods whose numbers say how long a text becomes: checked before they run
_WIDENING = {'center', 'ljust', 'rjust', 'zfill', 'expandtabs', 'indent', 'slice', 'batch'}


def _bounded_range(*args):
    _sized(*args)
    for number in range(*args):
        _spend()
        yield number


def _bounded_filter(name: str, function):
    @functools.wraps(function)   # keeps jinja_pass_arg: a filter that takes the context still gets it
    def bounded(*args, **kwargs):
        _spend()
        if name in _WIDENING:
            given = args[2:] if getattr(function, 'jinja_pass_arg', None) else args[1:]
            _sized(*given, *kwargs.values())
        return _made(function(*args, **kwargs))
    return bounded


class BoundedSandbox(SandboxedEnvironment):
    """The sandbox, with a budget: a loop, a call or a lookup spends a step; big repetitions are refused."""

    intercepted_binops = frozenset({'*', '**'})

    def call_binop(self, context, operator, left, right):
        _spend()
        if operator == '**' and isinstance(right, int) and right > 64:
            raise TooCostly(str(_l('the power %(n)s is too large for an e-mail', n=right)))
        if operator == '*' and (isinstance(left, (str, list, tuple)) or isinstance(right, (str, list, tuple))):
            _sized(left if isinstance(left, int) else right)
        return _made(super().call_binop(context, operator, left, right))

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - the sandbox's own signature
        _spend()
        if getattr(__obj, '__name__', '') in _WIDENING:
            _sized(*args, *kwargs.values())
        return _made(super().call(__context, __obj, *args, **kwargs))

    def getattr(self, obj, attribute):
        _spend()
        return super().getattr(obj, attribute)

    def getitem(self, obj, argument):
        _spend()
        return super().getitem(obj, argument)


def _environment(autoescape: bool) -> SandboxedEnvironment:
    env = BoundedSandbox(autoescape=autoescape, undefined=StrictUndefined, trim_blocks=True,
                         lstrip_blocks=True, keep_trailing_newline=True)
    env.filters.update(yen=yen, comma=comma)
    env.filters = {name: _bounded_filter(name, function) for name, function in env.filters.items()}
    env.globals['range'] = _bounded_range
    return env


TEXT_ENV = _environment(autoescape=False)
HTML_ENV = _environment(autoescape=True)


@dataclasses.dataclass(frozen=True)
class TemplateSource:
    """The three parts of one message template, as text."""

    subject: str
    text_body: str
    html_body: str
    #: True when these are the code's defaults (no manager's version is stored)
    default: bool = True


@dataclasses.dataclass(frozen=True)
class Rendered:
    subject: str
    text_body: str
    html_body: str


class TemplateProblem(Exception):
    """A template that cannot be parsed or rendered: which part, which line, and what went wrong."""

    def __init__(self, part: str, line: int | None, message: str):
        super().__init__(f'{part}:{line}: {message}')
        self.part, self.line, self.message = part, line, message


@dataclasses.dataclass(frozen=True)
class MessageKind:
    """One kind of e-mail: its name on screens and sample contexts for previews and checks."""

    label: object
    #: (locale, shop) -> contexts of made-up messages of this kind; the first is the preview
    samples: Callable[[str, dict], list[dict]]
    #: the names a template of this kind may use, for the editing screen
    variables: str = ''


@functools.cache
def default_source(kind: str, locale: str) -> TemplateSource:
    folder = DEFAULTS / kind / locale
    return TemplateSource(**{part: (folder / name).read_text(encoding='utf-8') for part, name in _FILES.items()})


@functools.lru_cache(maxsize=64)
def compiled(source: TemplateSource) -> 'CompiledTemplate':
    """The parsed template of a source: parsing costs more than rendering, so each distinct text is
    parsed once per process (an edited template is a new source, hence a new entry)."""
    return CompiledTemplate(source)


class CompiledTemplate:
    """A template parsed once, to render many messages (an import may write thousands)."""

    def __init__(self, source: TemplateSource):
        self.source = source
        self._parts = {}
        for part in PARTS:
            env = HTML_ENV if part == 'html_body' else TEXT_ENV
            try:
                self._parts[part] = env.from_string(getattr(source, part))
            except TemplateSyntaxError as exc:
                raise TemplateProblem(part, exc.lineno, exc.message or str(exc)) from exc

    def render(self, context: dict) -> Rendered:
        """Render the three parts; the HTML body also sees the rendered ``subject``.

        :raise TemplateProblem: a part failed to render (an unknown name, a forbidden attribute, ...)
        """
        subject = ' '.join(self._render('subject', context).split())
        if len(subject) > SUBJECT_LIMIT:
            subject = subject[:SUBJECT_LIMIT - 1] + '…'
        text = self._render('text_body', context)
        html = self._render('html_body', {**context, 'subject': subject})
        return Rendered(subject, text, html)

    def _render(self, part: str, context: dict) -> str:
        token = _budget.set(_Budget())
        try:
            written, size = [], 0
            for chunk in self._parts[part].generate(context):
                size += len(chunk)
                if size > RENDER_CHARACTERS:
                    raise TooCostly(str(_l('the template writes more than %(n)s characters',
                                           n=f'{RENDER_CHARACTERS:,}')))
                written.append(chunk)
            return ''.join(written)
        except Exception as exc:  # anything a template can raise: undefined names, sandbox refusals, 1/0
            raise TemplateProblem(part, _template_line(exc), f'{type(exc).__name__}: {exc}') from exc
        finally:
            _budget.reset(token)


def _template_line(exc: BaseException) -> int | None:
    """The template line an error was raised on (Jinja puts template frames into the traceback)."""
    lines = [frame.lineno for frame in traceback.extract_tb(exc.__traceback__) if frame.filename == '<template>']
    return lines[-1] if lines else None


# ------------------------------------------------------------------------------------------ contexts


def format_moment(value: dt.datetime, locale: str) -> str:
    """An order time as the customer reads it: Japan time, in the message's language."""
    value = value.astimezone(JST)
    if locale == 'ja':
        return format_datetime(value, "y年M月d日(E) HH:mm", tzinfo=JST, locale='ja')
    return format_datetime(value, 'EEE d MMM y, HH:mm', tzinfo=JST, locale='en')


def format_day(value: dt.date | None, locale: str) -> str:
    if value is None:
        return ''
    if locale == 'ja':
        return format_date(value, 'y年M月d日(E)', locale='ja')
    return format_date(value, 'EEE d MMM y', locale='en')


def order_totals(order) -> dict:
    """Amounts of an order, with the consumption tax per rate (prices are tax-included yen).

    Shipping and COD fees are taxed at the standard 10%.  The tax in a tax-included amount is
    rounded down once per rate, as on a Japanese invoice.  Anything the mall took off (points,
    coupons) shows as ``adjustment``, the difference to the order's total.
    """
    by_rate: dict[int, int] = {}
    for line in order.lines:
        by_rate[line.tax_rate] = by_rate.get(line.tax_rate, 0) + line.unit_price * line.quantity
    subtotal = sum(by_rate.values())
    fees = (order.shipping_fee or 0) + (order.cod_fee or 0)
    if fees:
        by_rate[10] = by_rate.get(10, 0) + fees
    taxes = [{'rate': rate, 'amount': amount, 'tax': included_tax(amount, rate)}
             for rate, amount in sorted(by_rate.items(), reverse=True) if rate and amount]
    return {'subtotal': subtotal, 'shipping_fee': order.shipping_fee or 0, 'cod_fee': order.cod_fee or 0,
            'adjustment': order.total - subtotal - fees, 'total': order.total, 'taxes': taxes,
            'has_reduced': any(line.tax_rate == 8 for line in order.lines)}


def order_context(order, locale: str, shop: dict) -> dict:
    """What an order's messages may use: order, lines, totals, customer_name and shop."""
    with force_locale(locale):
        payment_method = str(PAYMENT_LABELS.get(order.payment_method, order.payment_method))
        channel_name = str(CHANNEL_LABELS.get(order.channel, order.channel))
    postal = order.ship_postal_code or ''
    return {
        'shop': shop,
        'customer_name': order.buyer_name or order.ship_name,
        'order': {
            'number': order.number, 'external_order_id': order.external_order_id, 'channel': order.channel,
            'channel_name': channel_name, 'is_store': order.channel in OWN_CHANNELS,
            'ordered_at': format_moment(order.ordered_at, locale),
            'buyer_name': order.buyer_name, 'buyer_email': order.buyer_email, 'buyer_phone': order.buyer_phone,
            'payment_method': payment_method, 'payment_method_code': order.payment_method,
            'ship': {'name': order.ship_name, 'postal_code': f'{postal[:3]}-{postal[3:]}' if len(postal) == 7
                     else postal, 'prefecture': order.ship_prefecture, 'city': order.ship_city,
                     'address1': order.ship_address1, 'address2': order.ship_address2, 'phone': order.ship_phone},
            'delivery_date': format_day(order.delivery_date, locale),
            'delivery_time_slot': order.delivery_time_slot, 'gift_wrap': order.gift_wrap, 'noshi': order.noshi,
            'customer_comment': order.customer_comment,
        },
        'lines': [{'name': line.name, 'option_text': line.option_text, 'quantity': line.quantity,
                   'unit_price': line.unit_price, 'amount': line.unit_price * line.quantity,
                   'tax_rate': line.tax_rate, 'reduced': line.tax_rate == 8}
                  for line in sorted(order.lines, key=lambda line: line.line_no)],
        'totals': order_totals(order),
    }


SAMPLE_SHOP = {'name': '茶と器の店', 'signature': '茶と器の店\nhttps://shop.example.jp/\nTEL 03-1234-5678',
               'reply_to': 'support@shop.example.jp'}


def sample_orders() -> list:
    """Made-up orders that are never saved, for previews and for checking a template before it is stored.

    Between them they fill and leave empty every optional value (comment, gift wrap, noshi, a
    delivery date, a second address line, a mall order with points taken off), so that the check
    runs both branches of a template's ``{% if %}``s.
    """
    store = Order(id=123, channel='store', external_order_id='S-20261122-0001',
                  ordered_at=dt.datetime(2026, 11, 22, 1, 5, tzinfo=dt.UTC), payment_method='cod',
                  buyer_name='山田 花子', buyer_email='hanako@example.jp', buyer_phone='09012345678',
                  ship_name='山田 花子', ship_postal_code='1000001', ship_prefecture='東京都',
                  ship_city='千代田区', ship_address1='千代田1-1', ship_address2='蔵マンション101',
                  ship_phone='09012345678', shipping_fee=550, cod_fee=330, total=4614, amount_due=4614,
                  delivery_date=dt.date(2026, 11, 25), delivery_time_slot='午前中', gift_wrap='', noshi='',
                  customer_comment='不在時は宅配ボックスへお願いします。')
    store.lines = [
        OrderLine(line_no=1, name='静岡煎茶 100g', option_text='', quantity=2, unit_price=1080, tax_rate=8),
        OrderLine(line_no=2, name='有田焼 湯呑み', option_text='色：藍', quantity=1, unit_price=1574, tax_rate=10),
    ]
    mall = Order(id=124, channel='rakuten', external_order_id='123456-20261122-0000000001',
                 ordered_at=dt.datetime(2026, 11, 21, 14, 30, tzinfo=dt.UTC), payment_method='card',
                 buyer_name='', buyer_email='taro@example.jp', buyer_phone='', ship_name='佐藤 太郎',
                 ship_postal_code='5300001', ship_prefecture='大阪府', ship_city='大阪市北区',
                 ship_address1='梅田1-1-1', ship_address2='', ship_phone='', shipping_fee=0, cod_fee=0, total=5000,
                 amount_due=5000,
                 delivery_date=None, delivery_time_slot='', gift_wrap='あり', noshi='御歳暮', customer_comment='')
    mall.lines = [OrderLine(line_no=1, name='九谷焼 夫婦湯呑みセット', option_text='箱：桐箱', quantity=1,
                            unit_price=5500, tax_rate=10)]
    return [store, mall]


def sample_order_confirmations(locale: str, shop: dict | None = None) -> list[dict]:
    return [order_context(order, locale, shop or SAMPLE_SHOP) for order in sample_orders()]


def shipping_context(shipment, orders: list, locale: str, shop: dict) -> dict:
    """A shipping confirmation's context: the parcel's first order as ``order``, and ``shipment`` and ``parcel``.

    :param orders: the orders in the parcel, the shipment's own first (orders combined into it follow)
    """
    number = shipment.tracking_number or ''
    context = order_context(orders[0], locale, shop)
    context['shipment'] = {
        'carrier': shipment.carrier, 'carrier_name': CARRIER_NAMES.get(shipment.carrier, shipment.carrier),
        'service': shipment.service, 'tracking_number': number,
        'tracking_url': tracking_url(shipment.carrier, number) if number else '',
        'shipped_at': format_moment(shipment.shipped_at, locale) if shipment.shipped_at else '',
    }
    context['parcel'] = {
        'numbers': [o.number for o in orders],
        'lines': [line for o in orders for line in order_context(o, locale, shop)['lines']],
        #: what the carrier collects at the door (cash on delivery: the amounts due after points and coupons),
        #: 0 when nothing; None when an amount is not known, and the mail names none rather than a wrong one
        'cod_amount': cod_to_collect(orders),
    }
    context['shop'] = {**shop, 'return_policy': shipping_settings().return_policy}
    return context


def sample_shipping_confirmations(locale: str, shop: dict | None = None) -> list[dict]:
    store, mall = sample_orders()
    shipped = Shipment(order_id=store.id, carrier='yamato', service='宅急便', tracking_number='123456789012',
                       shipped_at=dt.datetime(2026, 11, 24, 6, 0, tzinfo=dt.UTC))
    untracked = Shipment(order_id=mall.id, carrier='japanpost', service='ゆうパック', tracking_number=None,
                         shipped_at=None)
    return [shipping_context(shipped, [store, mall], locale, shop or SAMPLE_SHOP),
            shipping_context(untracked, [mall], locale, shop or SAMPLE_SHOP)]


def return_context(ret, locale: str, shop: dict, refund=None) -> dict:
    """A return's messages: the order's context, ``ret`` (number, lines with reasons, the shop's message) and the
    address the units go back to; for a refund, ``refund`` (amount, method, day)."""
    context = order_context(ret.order, locale, shop)
    sender = shipping_settings()
    postal = sender.sender_postal_code or ''
    context['ret'] = {
        'number': ret.number, 'message': ret.message or '',
        'lines': [{'name': line.order_line.name if line.order_line is not None else '', 'quantity': line.quantity,
                   'received': line.received, 'reason': line.reason.label(locale)} for line in ret.lines],
        'return_to': {'name': sender.sender_name, 'postal_code': f'{postal[:3]}-{postal[3:]}' if len(postal) == 7
                      else postal,
                      'address': f'{sender.sender_prefecture}{sender.sender_city}{sender.sender_address1}'
                                 f'{sender.sender_address2}', 'phone': sender.sender_phone},
    }
    if refund is not None:
        with force_locale(locale):
            method = str(REFUND_METHOD_LABELS.get(refund.method, refund.method))
        context['refund'] = {'amount': refund.lines_amount + refund.fees_amount, 'lines_amount': refund.lines_amount,
                             'fees_amount': refund.fees_amount, 'method': method, 'method_code': refund.method,
                             'refunded_on': format_day(refund.refunded_on, locale)}
    return context


def sample_returns(locale: str, shop: dict | None = None) -> list[dict]:
    """Made-up returns (never saved) of the sample orders: one with the shop's message, one without."""
    store, mall = sample_orders()
    defective = ReturnReason(key='defective', label_ja='不良品', label_en='Defective', fault='shop')
    changed = ReturnReason(key='changed_mind', label_ja='サイズ・イメージ違い', label_en='Not as expected',
                           fault='customer')
    first = Return(id=12, order=store, message='着払いでお送りください。')
    first.lines = [ReturnLine(order_line=store.lines[1], quantity=1, reason=defective, sellable=0, quarantine=1,
                              scrap=0, supplier=0)]
    second = Return(id=13, order=mall, message='')
    second.lines = [ReturnLine(order_line=mall.lines[0], quantity=1, reason=changed, sellable=1, quarantine=0,
                               scrap=0, supplier=0)]
    refunds = [Refund(lines_amount=1574, fees_amount=880, method='bank_transfer', refunded_on=dt.date(2026, 12, 1)),
               Refund(lines_amount=5500, fees_amount=0, method='mall', refunded_on=dt.date(2026, 12, 2))]
    return [return_context(ret, locale, shop or SAMPLE_SHOP, refund) for ret, refund in zip((first, second), refunds)]


RETURN_VARIABLES = '''(as in the order confirmation) and
ret.number  ret.message  {% for line in ret.lines %}: line.name  line.quantity  line.received  line.reason
ret.return_to.name  ret.return_to.postal_code  ret.return_to.address  ret.return_to.phone
refund.amount  refund.lines_amount  refund.fees_amount  refund.method  refund.refunded_on (refund made only)'''


ORDER_VARIABLES = '''shop.name  shop.signature  shop.reply_to  customer_name
order.number  order.external_order_id  order.channel  order.channel_name  order.is_store  order.ordered_at
order.buyer_name  order.buyer_email  order.buyer_phone  order.payment_method  order.payment_method_code
order.ship.name  order.ship.postal_code  order.ship.prefecture  order.ship.city  order.ship.address1
order.ship.address2  order.ship.phone  order.delivery_date  order.delivery_time_slot  order.gift_wrap  order.noshi
order.customer_comment
{% for line in lines %}: line.name  line.option_text  line.quantity  line.unit_price  line.amount  line.tax_rate
                         line.reduced
totals.subtotal  totals.shipping_fee  totals.cod_fee  totals.adjustment  totals.total  totals.has_reduced
{% for tax in totals.taxes %}: tax.rate  tax.amount  tax.tax'''
SHIPPING_VARIABLES = ORDER_VARIABLES + '''
shipment.carrier  shipment.carrier_name  shipment.service  shipment.tracking_number  shipment.tracking_url
shipment.shipped_at  shop.return_policy
parcel.numbers (the orders in the parcel)  parcel.cod_amount  {% for line in parcel.lines %}: as lines'''

def oversell_context(oversells: list[dict], locale: str, shop: dict) -> dict:
    """What the oversell alert may use: each oversell as sku, name, channel, channel_name, short, order_number."""
    with force_locale(locale):
        rows = [{**o, 'channel_name': str(CHANNEL_LABELS.get(o['channel'], o['channel']))} for o in oversells]
    return {'shop': shop, 'oversells': rows}


def sample_oversell_alerts(locale: str, shop: dict | None = None) -> list[dict]:
    return [oversell_context([{'sku': 'T-100', 'name': '静岡煎茶 100g', 'channel': 'rakuten', 'short': 2,
                               'order_number': 'K00000123'},
                              {'sku': 'W-1', 'name': '有田焼 湯呑み', 'channel': 'store', 'short': 1,
                               'order_number': ''}], locale, shop or SAMPLE_SHOP)]


OVERSELL_VARIABLES = '''shop.name  shop.signature  shop.reply_to
{% for o in oversells %}: o.sku  o.name  o.channel  o.channel_name  o.short  o.order_number'''

#: every kind of message; others are added here with their defaults in defaults/<kind>/<locale>/
KINDS = {
    'order_confirmation': MessageKind(label=EMAIL_KIND_LABELS['order_confirmation'],
                                      samples=sample_order_confirmations, variables=ORDER_VARIABLES),
    'shipping_confirmation': MessageKind(label=EMAIL_KIND_LABELS['shipping_confirmation'],
                                         samples=sample_shipping_confirmations,
                                         variables=SHIPPING_VARIABLES),
    'oversell_alert': MessageKind(label=EMAIL_KIND_LABELS['oversell_alert'], samples=sample_oversell_alerts,
                                  variables=OVERSELL_VARIABLES),
    'return_approved': MessageKind(label=EMAIL_KIND_LABELS['return_approved'], samples=sample_returns,
                                   variables=RETURN_VARIABLES),
    'return_received': MessageKind(label=EMAIL_KIND_LABELS['return_received'], samples=sample_returns,
                                   variables=RETURN_VARIABLES),
    'refund_made': MessageKind(label=EMAIL_KIND_LABELS['refund_made'], samples=sample_returns,
                               variables=RETURN_VARIABLES),
}


def kind_label(kind: str) -> str:
    return str(KINDS[kind].label) if kind in KINDS else kind
