"""Amazon.co.jp Seller Central order reports: tab-separated, CP932, one row per order-item-id (formats.md §2).

Two layouts, told apart by their columns:

- A, the new/all orders flat file, has ``item-price``: the line total, tax included.  The unit price is
  item-price / quantity-purchased, rounded half up to the yen when it does not divide evenly (1001 / 2
  -> 501).  The order total is built from item-price itself, so rounding never changes it:
  item-price + shipping-price + gift-wrap-price - promotion discounts, summed over the lines, plus
  payment-method-fee.
- B, the unshipped orders report, has no price per item at all.  Its lines get unit price 0 rather
  than an invented one (a catalogue price may differ from what the buyer paid).  Its total is what
  the buyer pays, cod-collectible-amount + already-paid, which Amazon fills on COD orders only;
  other orders in this layout get a total of 0 plus their fees.  Import the all-orders report when
  prices matter.

Amazon JP with cash on delivery switched on appends payment-method, cod-collectible-amount,
already-paid and payment-method-fee to either layout; they are read wherever they are.  Those
order-level amounts are taken as the largest value on the order's rows, which is right whether
Amazon repeats them on every row or writes them on one.
"""
import csv

from importers.base import JST, Row
from importers.orders._common import Cells, Collector, foreign_currency, given, read
from importers.orders.normalize import divide_yen, parse_datetime, payment_method
from importers.orders.records import LineRecord, OrderRecord, ParseResult, lines_total


CHANNEL = 'amazon'
ORDER_ID = 'order-id'
REQUIRED = (ORDER_ID, 'order-item-id', 'purchase-date', 'sku', 'product-name', 'quantity-purchased',
            'recipient-name', 'ship-postal-code', 'ship-state', 'ship-address-1')


def parse(files: list[tuple[str, bytes]]) -> ParseResult:
    """Read Amazon order reports (layout A or B) into orders."""
    collector = Collector()
    for filename, data in given(files):
        header, rows = read(data, filename, required=REQUIRED, quoting=csv.QUOTE_NONE)
        _unquote(rows)
        build = _order_with_prices if 'item-price' in header else _order_without_prices
        for key, group in collector.group(filename, rows, ORDER_ID).items():
            collector.add_rows(filename, key, group, ORDER_ID, build)
    return collector.result


def _order_with_prices(cells: list[Cells]) -> OrderRecord:
    if foreign_currency(cells, 'currency'):
        return _order(cells, [_line(c, c.quantity('quantity-purchased'), 0) for c in cells], 0, 0, 0)
    lines, amounts = [], 0
    for c in cells:
        item_price = c.price('item-price')
        quantity = c.quantity('quantity-purchased')
        lines.append(_line(c, quantity, divide_yen(item_price, quantity) if quantity else 0))
        # Amazon writes discounts as negative numbers; abs() keeps a positive one from raising the total
        amounts += (item_price + c.fee('gift-wrap-price') - abs(c.yen('item-promotion-discount') or 0)
                    - abs(c.yen('ship-promotion-discount') or 0))
    shipping_fee = sum(c.fee('shipping-price') for c in cells)
    cod_fee = _order_amount(cells, 'payment-method-fee')
    return _order(cells, lines, shipping_fee, cod_fee, amounts + shipping_fee + cod_fee)


def _order_without_prices(cells: list[Cells]) -> OrderRecord:
    # layout B has no item price: 0 says "not in the file" rather than guessing one
    lines = [_line(c, c.quantity('quantity-purchased'), 0) for c in cells]
    cod_fee = _order_amount(cells, 'payment-method-fee')
    collectible = _order_amount(cells, 'cod-collectible-amount')
    if collectible:
        total = collectible + _order_amount(cells, 'already-paid')
    else:
        total = lines_total(lines) + cod_fee
    return _order(cells, lines, 0, cod_fee, total)


def _order(cells: list[Cells], lines: list[LineRecord], shipping_fee: int, cod_fee: int, total: int) -> OrderRecord:
    first = cells[0]
    delivery_start, delivery_end = (('scheduled-delivery-start-date', 'scheduled-delivery-end-date')
                                    if first.has('scheduled-delivery-start-date')
                                    else ('delivery-start-date', 'delivery-end-date'))
    # the column is absent when cash on delivery is off: every such order was paid through Amazon
    payment = payment_method(first.text('payment-method'), default='card')
    return OrderRecord(
        filename=first.filename,
        line=first.line,
        channel=CHANNEL,
        external_order_id=first.key,
        ordered_at=first.ordered_at('purchase-date'),
        buyer_name=first.text('buyer-name'),
        buyer_kana='',
        buyer_email=first.text('buyer-email'),
        buyer_phone=first.phone('buyer-phone-number'),
        ship_name=first.text('recipient-name'),
        ship_kana='',
        ship_postal_code=first.postal_code('ship-postal-code'),
        ship_prefecture=first.prefecture('ship-state'),
        ship_city=first.text('ship-city'),
        ship_address1=first.text('ship-address-1'),
        ship_address2=first.joined('ship-address-2', 'ship-address-3'),
        # the JP unshipped report has no ship-phone-number: its buyer-phone-number is the recipient's phone
        ship_phone=first.phone('ship-phone-number') or first.phone('buyer-phone-number'),
        payment_method=payment,
        shipping_fee=shipping_fee,
        cod_fee=cod_fee,
        total=total,
        delivery_date=first.date(delivery_start),
        delivery_time_slot=_time_slot(first.text(delivery_start), first.text(delivery_end)),
        gift_wrap=first.text('gift-wrap-type'),
        noshi='',
        customer_comment=first.joined('delivery-Instructions', 'gift-message-text', sep='\n'),
        lines=lines,
        amount_due=_amount_due(cells, payment, total),
    )


def _amount_due(cells: list[Cells], payment: str, total: int) -> int | None:
    """What the buyer still pays: on a COD order cod-collectible-amount (Amazon's figure, after points and
    gift cards, which it puts in already-paid), None when the report leaves it empty; any other order was
    paid through Amazon, its total."""
    if payment != 'cod':
        return total
    if not any(c.text('cod-collectible-amount') for c in cells):
        return None
    return _order_amount(cells, 'cod-collectible-amount')


def _line(c: Cells, quantity: int, unit_price: int) -> LineRecord:
    return LineRecord(
        line=c.line,
        channel_line_id=c.text('order-item-id'),
        item_code=c.text('sku'),
        jan='',
        name=c.text('product-name'),
        option_text='',
        quantity=quantity,
        unit_price=unit_price,
        tax_rate=None,  # the reports carry tax amounts, never a rate: the product's rate is taken
    )


def _unquote(rows: list[Row]) -> None:
    """Values Amazon (or a spreadsheet that saved the report) wrapped in double quotes, without them.

    The report is read without quote handling, since a value may itself start with a double quote; a value
    that starts and ends with one ("髙﨑の緑茶, 100g") is a quoted value: its quotes go, and a doubled ""
    inside becomes one.
    """
    for row in rows:
        cells = row.cells
        if any(cell[:1] == '"' for cell in cells):
            row.cells = [_unquoted(cell) for cell in cells]


def _unquoted(cell: str) -> str:
    text = cell.strip()
    if len(text) >= 2 and text[0] == text[-1] == '"':
        return text[1:-1].replace('""', '"')
    return cell


def _order_amount(cells: list[Cells], column: str) -> int:
    return max(c.fee(column) for c in cells)


def _time_slot(start: str, end: str) -> str:
    """'09:00-12:00' (Japan time) for a scheduled delivery window, '' when the file gives no times."""
    if 'T' not in start or 'T' not in end:
        return ''
    try:
        return f'{parse_datetime(start).astimezone(JST):%H:%M}-{parse_datetime(end).astimezone(JST):%H:%M}'
    except ValueError:
        return ''  # the date column itself reports the problem
