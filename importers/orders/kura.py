"""Kura's own order CSV: for shops whose orders come from somewhere no other format covers.

UTF-8 (with or without BOM) or CP932 (Shift_JIS), comma-separated, a header row, one row per order
line.  Columns are read by name, in any order; other columns are ignored.  The order columns are
repeated on every line of the order and read from its first row.  A row whose required value is
empty or invalid keeps its whole order out of the import, and is reported by line and column.

==================  ========  ==============================================================
Column              Required  Value
==================  ========  ==============================================================
order_id            yes       the order number; rows with the same number are one order
ordered_at          yes       ISO 8601: 2025-10-07 09:50:26 or 2025-10-07T09:50:26+09:00;
                              Japan time when no offset is given
buyer_name                    buyer's name as printed on documents
buyer_kana                    buyer's name in katakana
buyer_email
buyer_phone                   digits, hyphens allowed: 03-1234-5678
ship_name           yes       recipient's name
ship_kana                     recipient's name in katakana
ship_postal_code    yes       7 digits, hyphen allowed: 060-0001 or 0600001
ship_prefecture     yes       都道府県: 北海道, 東京都, ...
ship_city                     市区町村: 札幌市中央区
ship_address1       yes       the rest of the street address: 北一条西1-2-3
ship_address2                 building and room: ○○ビル 101号室
ship_phone                    recipient's phone, as buyer_phone
payment_method                card, cod, bank_transfer, convenience_store, paypay or other;
                              empty means other
shipping_fee                  yen, tax included, 0 or more; empty means 0
cod_fee                       cash-on-delivery fee in yen, 0 or more; empty means 0
delivery_date                 requested delivery date: 2025-10-10; empty means none
delivery_time_slot            requested time slot as free text: 14-16, 午前中
gift_wrap                     free text
noshi                         free text
comment                       the customer's comment
sku                 yes       our SKU, as text: 00123 keeps its leading zeros
jan                           JAN/EAN-13 barcode
item_name                     the line's product name
option_text                   options chosen, free text (may span lines)
quantity            yes       whole number, 1 or more
unit_price          yes       yen per unit, tax included, 0 or more: 1080 or 1,080
tax_rate                      10 or 8 (percent), 0 for a tax-free item; empty: the product's rate
==================  ========  ==============================================================

The order total is computed: unit_price x quantity over the lines, plus shipping_fee and cod_fee.
"""
import itertools
from collections.abc import Iterator

from flask_babel import lazy_gettext as _l

from importers.orders._common import Collector, Columns, OrderRows, each, given, read
from importers.orders.normalize import prefecture
from importers.orders.records import PAYMENT_METHODS, LineRecord, OrderRecord, ParseResult, lines_total, records


CHANNEL = 'kura'
ORDER_ID = 'order_id'
REQUIRED = (ORDER_ID, 'ordered_at', 'ship_name', 'ship_postal_code', 'ship_prefecture', 'ship_address1', 'sku',
            'quantity', 'unit_price')


def parse(files: list[tuple[str, bytes]]) -> ParseResult:
    """Read Kura order CSV files into orders."""
    collector = Collector()
    for filename, data in given(files):
        _, rows = read(data, filename, required=REQUIRED)
        orders = OrderRows(filename, collector.group(filename, rows, ORDER_ID))
        collector.add_orders(orders, ORDER_ID, _orders(orders))
    return collector.result


def _orders(orders: OrderRows) -> Iterator[OrderRecord]:
    head = orders.head
    lines = orders.per_order(_lines(orders.items))
    shipping_fees = head.fee('shipping_fee')
    cod_fees = head.fee('cod_fee')
    totals = [lines_total(group) + shipping + cod for group, shipping, cod in zip(lines, shipping_fees, cod_fees)]
    return records(OrderRecord, {
        'filename': itertools.repeat(orders.filename),
        'line': head.lines,
        'channel': itertools.repeat(CHANNEL),
        'external_order_id': orders.keys,
        'ordered_at': head.ordered_at('ordered_at'),
        'buyer_name': head.text('buyer_name'),
        'buyer_kana': head.text('buyer_kana'),
        'buyer_email': head.text('buyer_email'),
        'buyer_phone': head.phone('buyer_phone'),
        'ship_name': head.required('ship_name', _l('no recipient name')),
        'ship_kana': head.text('ship_kana'),
        'ship_postal_code': head.postal_code('ship_postal_code'),
        'ship_prefecture': each(prefecture, head.required('ship_prefecture', _l('no prefecture'))),
        'ship_city': head.text('ship_city'),
        'ship_address1': head.required('ship_address1', _l('no address')),
        'ship_address2': head.text('ship_address2'),
        'ship_phone': head.phone('ship_phone'),
        'payment_method': _payments(head),
        'shipping_fee': shipping_fees,
        'cod_fee': cod_fees,
        'total': totals,
        'delivery_date': head.date('delivery_date'),
        'delivery_time_slot': head.text('delivery_time_slot'),
        'gift_wrap': head.text('gift_wrap'),
        'noshi': head.text('noshi'),
        'customer_comment': head.text('comment'),
        'lines': lines,
        'amount_due': totals,  # the file knows no points or coupons: the customer owes the total
    })


def _lines(items: Columns) -> list[LineRecord]:
    return list(records(LineRecord, {
        'line': items.lines,
        'channel_line_id': itertools.repeat(''),
        'item_code': items.required('sku', _l('no SKU')),
        'jan': items.text('jan'),
        'name': items.text('item_name'),
        'option_text': items.text('option_text'),
        'quantity': items.quantity('quantity'),
        'unit_price': items.price('unit_price'),
        'tax_rate': items.tax_rate('tax_rate'),
        'tax_excluded': itertools.repeat(False),
    }))


def _payments(head: Columns) -> list[str]:
    values = head.text('payment_method')
    for index, value in enumerate(values):
        if value and value.lower() not in PAYMENT_METHODS:
            head.problem(index, 'payment_method', value,
                         _l('payment method must be one of %(methods)s', methods=', '.join(PAYMENT_METHODS)))
    return [value.lower() or 'other' for value in values]
