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
import functools
import itertools
from collections.abc import Collection, Iterator

from importers.base import JST, Row
from importers.orders._common import Collector, Columns, OrderRows, each, foreign_currency, given, read
from importers.orders.normalize import divide_yen, parse_datetime, payment_method
from importers.orders.records import LineRecord, OrderRecord, ParseResult, lines_total, records


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
        orders = OrderRows(filename, collector.group(filename, rows, ORDER_ID))
        build = _orders_with_prices if 'item-price' in header else _orders_without_prices
        collector.add_orders(orders, ORDER_ID, build(orders))
    return collector.result


def _orders_with_prices(orders: OrderRows) -> Iterator[OrderRecord]:
    items = orders.items
    foreign = foreign_currency(items, 'currency', orders.item_rows())
    not_read = orders.rows_of(foreign)
    quantities = items.quantity('quantity-purchased')
    item_prices = items.price('item-price', skip=not_read)
    unit_prices = [divide_yen(price, quantity) if quantity else 0 for price, quantity in zip(item_prices, quantities)]
    # Amazon writes discounts as negative numbers; abs() keeps a positive one from raising the total
    amounts = [price + wrap - abs(item_discount or 0) - abs(ship_discount or 0)
               for price, wrap, item_discount, ship_discount in zip(
                   item_prices, items.fee('gift-wrap-price', skip=not_read),
                   items.yen('item-promotion-discount', skip=not_read),
                   items.yen('ship-promotion-discount', skip=not_read))]
    shipping_fees = list(map(sum, orders.per_order(items.fee('shipping-price', skip=not_read))))
    cod_fees = _order_amounts(orders, 'payment-method-fee', skip=not_read)
    totals = [sum(order_amounts) + shipping + cod
              for order_amounts, shipping, cod in zip(orders.per_order(amounts), shipping_fees, cod_fees)]
    return _orders(orders, orders.per_order(_lines(items, quantities, unit_prices)), shipping_fees, cod_fees, totals)


def _orders_without_prices(orders: OrderRows) -> Iterator[OrderRecord]:
    # layout B has no item price: 0 says "not in the file" rather than guessing one
    items = orders.items
    lines = orders.per_order(_lines(items, items.quantity('quantity-purchased'), itertools.repeat(0)))
    cod_fees = _order_amounts(orders, 'payment-method-fee')
    collectible = _order_amounts(orders, 'cod-collectible-amount')
    already_paid = _order_amounts(orders, 'already-paid', skip=orders.rows_of(amount == 0 for amount in collectible))
    totals = [amount + paid if amount else lines_total(group) + cod
              for amount, paid, group, cod in zip(collectible, already_paid, lines, cod_fees)]
    return _orders(orders, lines, itertools.repeat(0), cod_fees, totals, collectible)


def _orders(orders: OrderRows, lines: list[list[LineRecord]], shipping_fees, cod_fees: list[int], totals: list[int],
            collectible: list[int] | None = None) -> Iterator[OrderRecord]:
    head = orders.head
    delivery_start, delivery_end = (('scheduled-delivery-start-date', 'scheduled-delivery-end-date')
                                    if head.has('scheduled-delivery-start-date')
                                    else ('delivery-start-date', 'delivery-end-date'))
    # the column is absent when cash on delivery is off: every such order was paid through Amazon
    payments = each(functools.partial(payment_method, default='card'), head.text('payment-method'))
    return records(OrderRecord, {
        'filename': itertools.repeat(orders.filename),
        'line': head.lines,
        'channel': itertools.repeat(CHANNEL),
        'external_order_id': orders.keys,
        'ordered_at': head.ordered_at('purchase-date'),
        'buyer_name': head.text('buyer-name'),
        'buyer_kana': itertools.repeat(''),
        'buyer_email': head.text('buyer-email'),
        'buyer_phone': head.phone('buyer-phone-number'),
        'ship_name': head.text('recipient-name'),
        'ship_kana': itertools.repeat(''),
        'ship_postal_code': head.postal_code('ship-postal-code'),
        'ship_prefecture': head.prefecture('ship-state'),
        'ship_city': head.text('ship-city'),
        'ship_address1': head.text('ship-address-1'),
        'ship_address2': head.joined('ship-address-2', 'ship-address-3'),
        # the JP unshipped report has no ship-phone-number: its buyer-phone-number is the recipient's phone
        'ship_phone': [ship or buyer for ship, buyer in zip(head.phone('ship-phone-number'),
                                                            head.phone('buyer-phone-number'))],
        'payment_method': payments,
        'shipping_fee': shipping_fees,
        'cod_fee': cod_fees,
        'total': totals,
        'delivery_date': head.date(delivery_start),
        'delivery_time_slot': list(map(_time_slot, head.text(delivery_start), head.text(delivery_end))),
        'gift_wrap': head.text('gift-wrap-type'),
        'noshi': itertools.repeat(''),
        'customer_comment': head.joined('delivery-Instructions', 'gift-message-text', sep='\n'),
        'lines': lines,
        'amount_due': _amounts_due(orders, payments, totals, collectible),
    })


def _amounts_due(orders: OrderRows, payments: list[str], totals: list[int],
                 collectible: list[int] | None) -> list[int | None]:
    """What the buyer still pays: on a COD order cod-collectible-amount (Amazon's figure, after points and
    gift cards, which it puts in already-paid), None when the report leaves it empty; any other order was
    paid through Amazon, its total.

    :param collectible: cod-collectible-amount per order, when the caller has read it already
    """
    cod = [payment == 'cod' for payment in payments]
    if not any(cod):
        return totals
    given_amounts = [any(values) for values in orders.per_order(orders.items.text('cod-collectible-amount'))]
    if collectible is None:
        collectible = _order_amounts(orders, 'cod-collectible-amount', skip=orders.rows_of(not flag for flag in cod))
    return [(amount if given_amount else None) if on_delivery else total
            for on_delivery, given_amount, amount, total in zip(cod, given_amounts, collectible, totals)]


def _lines(items: Columns, quantities: list[int], unit_prices) -> list[LineRecord]:
    return list(records(LineRecord, {
        'line': items.lines,
        'channel_line_id': items.text('order-item-id'),
        'item_code': items.text('sku'),
        'jan': itertools.repeat(''),
        'name': items.text('product-name'),
        'option_text': itertools.repeat(''),
        'quantity': quantities,
        'unit_price': unit_prices,
        'tax_rate': itertools.repeat(None),  # the reports carry tax amounts, never a rate: the product's rate is taken
        'tax_excluded': itertools.repeat(False),
    }))


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


def _order_amounts(orders: OrderRows, column: str, skip: Collection[int] = ()) -> list[int]:
    """Per order, the largest of an amount on its rows: right whether Amazon repeats it on every row or writes it on
    one."""
    return list(map(max, orders.per_order(orders.items.fee(column, skip=skip))))


def _time_slot(start: str, end: str) -> str:
    """'09:00-12:00' (Japan time) for a scheduled delivery window, '' when the file gives no times."""
    if 'T' not in start or 'T' not in end:
        return ''
    try:
        return f'{parse_datetime(start).astimezone(JST):%H:%M}-{parse_datetime(end).astimezone(JST):%H:%M}'
    except ValueError:
        return ''  # the date column itself reports the problem
