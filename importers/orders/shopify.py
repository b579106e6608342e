"""Shopify orders export (Orders > Export, CSV for Excel or plain CSV), formats.md §4.

One row per line item, grouped by Name (#1001).  Order columns (Email, Created at, Shipping *, Total,
...) are filled on an order's first row only, so the order is read from that row.  Shopify writes
"'" before zips and phones to stop spreadsheets from dropping leading zeros; it is stripped.
"""
import functools
import itertools
from collections.abc import Iterator

from importers.orders._common import Collector, Columns, OrderRows, each, foreign_currency, given, read
from importers.orders.normalize import payment_method
from importers.orders.records import LineRecord, OrderRecord, ParseResult, lines_total, records


CHANNEL = 'shopify'
ORDER_ID = 'Name'
REQUIRED = (ORDER_ID, 'Created at', 'Lineitem quantity', 'Lineitem name', 'Lineitem price', 'Lineitem sku',
            'Shipping Name', 'Shipping Zip', 'Shipping Province', 'Shipping Address1')


def parse(files: list[tuple[str, bytes]]) -> ParseResult:
    """Read Shopify order exports into orders."""
    collector = Collector()
    for filename, data in given(files):
        _, rows = read(data, filename, required=REQUIRED)
        orders = OrderRows(filename, collector.group(filename, rows, ORDER_ID))
        collector.add_orders(orders, ORDER_ID, _orders(orders))
    return collector.result


def _orders(orders: OrderRows) -> Iterator[OrderRecord]:
    head = orders.head
    # another currency: one problem for the order, and no price is read (none is taken as yen)
    foreign = foreign_currency(head, 'Currency')
    not_read = {index for index, flagged in enumerate(foreign) if flagged}
    lines = orders.per_order(_lines(orders.items, orders.rows_of(foreign)))
    shipping_fees = head.fee('Shipping', skip=not_read)
    totals = [lines_total(group) + shipping if total is None else total
              for group, shipping, total in zip(lines, shipping_fees, head.yen('Total', skip=not_read))]
    return records(OrderRecord, {
        'filename': itertools.repeat(orders.filename),
        'line': head.lines,
        'channel': itertools.repeat(CHANNEL),
        'external_order_id': orders.keys,
        'ordered_at': head.ordered_at('Created at'),
        'buyer_name': head.text('Billing Name'),
        'buyer_kana': itertools.repeat(''),
        'buyer_email': head.text('Email'),
        'buyer_phone': [billing or phone for billing, phone in zip(head.phone('Billing Phone'), head.phone('Phone'))],
        'ship_name': head.text('Shipping Name'),
        'ship_kana': itertools.repeat(''),
        'ship_postal_code': head.postal_code('Shipping Zip'),
        # Shopify writes the province as a name ('Tokyo', 'Hokkaidō', '東京都') or a code ('JP-13')
        'ship_prefecture': head.prefecture('Shipping Province'),
        'ship_city': head.text('Shipping City'),
        'ship_address1': head.text('Shipping Address1'),
        'ship_address2': head.text('Shipping Address2'),
        'ship_phone': head.phone('Shipping Phone'),
        # manual gateways carry the shop's own label; every other gateway takes a card or a wallet
        'payment_method': each(functools.partial(payment_method, default='card'), head.text('Payment Method')),
        'shipping_fee': shipping_fees,
        # Shopify has no COD fee column; a COD app's fee is in Note Attributes, if anywhere
        'cod_fee': itertools.repeat(0),
        'total': totals,
        'delivery_date': itertools.repeat(None),
        'delivery_time_slot': itertools.repeat(''),
        'gift_wrap': itertools.repeat(''),
        'noshi': itertools.repeat(''),
        'customer_comment': head.text('Notes'),
        'lines': lines,
        # Total is after discounts; a COD gateway collects it
        'amount_due': totals,
    })


def _lines(items: Columns, prices_not_read: set[int]) -> list[LineRecord]:
    return list(records(LineRecord, {
        'line': items.lines,
        'channel_line_id': itertools.repeat(''),  # the export has no id per line item
        'item_code': items.text('Lineitem sku'),
        'jan': itertools.repeat(''),
        # the variant is part of the name: 'T-shirt - Red / M'
        'name': items.text('Lineitem name'),
        'option_text': itertools.repeat(''),
        'quantity': items.quantity('Lineitem quantity'),
        'unit_price': items.price('Lineitem price', skip=prices_not_read),
        # the export gives tax per order (Tax 1 Name/Value), not a rate per line: the product's rate is taken
        'tax_rate': itertools.repeat(None),
        'tax_excluded': itertools.repeat(False),
    }))
