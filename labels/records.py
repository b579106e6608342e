"""The plain values the documents are drawn from (``LabelData`` in the style guide).

Callers map ORM rows to these once; the drawing code never touches the database.  Money is in
whole yen (tax included, as Japanese shops price), quantities are whole units.
"""
from dataclasses import dataclass
from datetime import date, datetime


CARRIERS = ('yamato', 'sagawa', 'japanpost', 'clickpost', 'other')


@dataclass(frozen=True)
class Address:
    postal_code: str  # 7 digits, with or without the hyphen
    prefecture: str
    city: str
    address1: str
    address2: str
    name: str
    phone: str


@dataclass(frozen=True)
class LabelLine:
    sku: str
    name: str
    quantity: int


@dataclass(frozen=True)
class ShippingLabel:
    order_number: str
    tracking_number: str  # 12 digits for yamato/sagawa/japanpost (last = first 11 mod 7); '' if not issued yet
    carrier: str  # one of CARRIERS
    carrier_name: str  # as printed: 'ヤマト運輸'
    service: str  # as printed: '宅急便', 'ゆうパック'
    ship_to: Address
    sender: Address
    items: tuple[LabelLine, ...]
    delivery_date: date | None
    time_slot: str  # as printed: '14-16時'; '' for none
    #: yen to collect on delivery (the amount due after points and coupons); 0 when not cash on delivery;
    #: None when cash on delivery but the amount is not known: the label says so instead of printing a guess
    cod_amount: int | None
    ship_date: date


@dataclass(frozen=True)
class CustomerRequest:
    """What the customer asked for with one order, printed for the packer (pick list) and in the parcel (slip).

    Texts are as the customer or the mall wrote them, '' when nothing was asked.  A parcel of several
    orders (同梱) carries one per order: each order's wishes must reach the floor, not only the first's.
    """

    order_number: str
    gift_wrap: str = ''
    noshi: str = ''  # のし: its 表書き and the name on it, as one text ('御出産祝 山田')
    comment: str = ''  # the customer's comment; may have several lines
    delivery_date: date | None = None
    time_slot: str = ''  # as the order has it: '14-16時', '午前中'


@dataclass(frozen=True)
class SlipLine:
    sku: str
    name: str
    quantity: int
    unit_price: int  # tax included; negative for a discount line
    tax_rate: int  # percent: 10, 8 (the reduced rate) or 0 (非課税)


@dataclass(frozen=True)
class PackingSlip:
    order_number: str
    ordered_at: datetime  # aware
    shop_name: str
    shop_address: Address
    ship_to: Address
    buyer_name: str
    lines: tuple[SlipLine, ...]
    shipping_fee: int
    cod_fee: int
    total: int  # must equal the lines plus the shipping and COD fees
    note: str = ''
    #: 適格請求書発行事業者登録番号 ('T' + 13 digits), printed under the shop when given
    registration_number: str = ''
    #: the parcel's delivery wish, as on its shipping label
    delivery_date: date | None = None
    time_slot: str = ''
    #: one per order in the parcel, the carrying order first (see labels/customer_requests.py)
    requests: tuple[CustomerRequest, ...] = ()
    #: False for the price-free slip (金額なし納品書): no unit prices, amounts, fees, tax or total
    show_prices: bool = True
    #: who sends this present, printed in the greeting of a price-free slip ('髙橋 太郎'); '' for none
    gift_from: str = ''


@dataclass(frozen=True)
class PickItem:
    location: str
    sku: str
    name: str
    jan: str
    quantity: int


@dataclass(frozen=True)
class PickOrder:
    order_number: str
    ship_name: str
    items: tuple[PickItem, ...]
    #: the parcel's delivery wish, as on its shipping label
    delivery_date: date | None = None
    time_slot: str = ''
    #: one per order in the parcel, the carrying order first (see labels/customer_requests.py)
    requests: tuple[CustomerRequest, ...] = ()


@dataclass(frozen=True)
class PickList:
    batch_code: str
    created_at: datetime
    totals: tuple[PickItem, ...]  # each SKU once, already in walking order
    orders: tuple[PickOrder, ...]


@dataclass(frozen=True)
class JanLabel:
    jan: str  # 13 digits (or 8 for a JAN-8), check digit included
    sku: str
    name: str
    price: int  # yen, tax included


@dataclass(frozen=True)
class LocationLabel:
    """A shelf label (棚ラベル): the location's code, as text and as a Code128 barcode."""

    code: str  # printable ASCII, e.g. A-01-03-2
    note: str = ''  # a line under the code: the warehouse's name, the zone


@dataclass(frozen=True)
class ProductLabel:
    """A product label for a bin or a unit: the SKU as Code128, and the JAN as EAN-13/EAN-8 when it has one."""

    sku: str  # printable ASCII
    name: str
    jan: str = ''  # '' for none; otherwise 13 (or 8) digits with a correct check digit
