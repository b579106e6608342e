"""Shopify orders export (Orders > Export, CSV for Excel or plain CSV), formats.md §4.

One row per line item, grouped by Name (#1001).  Order columns (Email, Created at, Shipping *, Total,
...) are filled on an order's first row only, so the order is read from that row.  Shopify writes
"'" before zips and phones to stop spreadsheets from dropping leading zeros; it is stripped.
"""
from importers.orders._common import Cells, Collector, foreign_currency, given, read
from importers.orders.normalize import payment_method
from importers.orders.records import LineRecord, OrderRecord, ParseResult, lines_total


CHANNEL = 'shopify'
ORDER_ID = 'Name'
REQUIRED = (ORDER_ID, 'Created at', 'Lineitem quantity', 'Lineitem name', 'Lineitem price', 'Lineitem sku',
            'Shipping Name', 'Shipping Zip', 'Shipping Province', 'Shipping Address1')


def parse(files: list[tuple[str, bytes]]) -> ParseResult:
    """Read Shopify order exports into orders."""
    collector = Collector()
    for filename, data in given(files):
        _, rows = read(data, filename, required=REQUIRED)
        for key, group in collector.group(filename, rows, ORDER_ID).items():
            collector.add_rows(filename, key, group, ORDER_ID, _order)
    return collector.result


def _order(cells: list[Cells]) -> OrderRecord:
    first = cells[0]
    # another currency: one problem for the order, and no price is read (none is taken as yen)
    foreign = foreign_currency(cells[:1], 'Currency')
    lines = [_line(c, read_price=not foreign) for c in cells]
    shipping_fee = 0 if foreign else first.fee('Shipping')
    total = 0 if foreign else first.yen('Total')
    if total is None:
        total = lines_total(lines) + shipping_fee
    return OrderRecord(
        filename=first.filename,
        line=first.line,
        channel=CHANNEL,
        external_order_id=first.key,
        ordered_at=first.ordered_at('Created at'),
        buyer_name=first.text('Billing Name'),
        buyer_kana='',
        buyer_email=first.text('Email'),
        buyer_phone=first.phone('Billing Phone') or first.phone('Phone'),
        ship_name=first.text('Shipping Name'),
        ship_kana='',
        ship_postal_code=first.postal_code('Shipping Zip'),
        # Shopify writes the province as a name ('Tokyo', 'Hokkaidō', '東京都') or a code ('JP-13')
        ship_prefecture=first.prefecture('Shipping Province'),
        ship_city=first.text('Shipping City'),
        ship_address1=first.text('Shipping Address1'),
        ship_address2=first.text('Shipping Address2'),
        ship_phone=first.phone('Shipping Phone'),
        # manual gateways carry the shop's own label; every other gateway takes a card or a wallet
        payment_method=payment_method(first.text('Payment Method'), default='card'),
        shipping_fee=shipping_fee,
        cod_fee=0,  # Shopify has no COD fee column; a COD app's fee is in Note Attributes, if anywhere
        total=total,
        delivery_date=None,
        delivery_time_slot='',
        gift_wrap='',
        noshi='',
        customer_comment=first.text('Notes'),
        lines=lines,
        # Total is after discounts; a COD gateway collects it
        amount_due=total,
    )


def _line(c: Cells, read_price: bool = True) -> LineRecord:
    return LineRecord(
        line=c.line,
        channel_line_id='',  # the export has no id per line item
        item_code=c.text('Lineitem sku'),
        jan='',
        # the variant is part of the name: 'T-shirt - Red / M'
        name=c.text('Lineitem name'),
        option_text='',
        quantity=c.quantity('Lineitem quantity'),
        unit_price=c.price('Lineitem price') if read_price else 0,
        # the export gives tax per order (Tax 1 Name/Value), not a rate per line: the product's rate is taken
        tax_rate=None,
    )
