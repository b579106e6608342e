"""Yahoo!ショッピング order download: two CSV files, orders and items, joined on the order number (formats.md §3).

The shop builds the download template itself, so column names vary: the API field names
(OrderId, ShipZipCode, ...) or Japanese labels (注文番号, お届け先郵便番号, ...).  Each field
below lists every name it is known by; the first one the file has is read.  Which file is which
is told by its header: the items file has a quantity column.
"""
import itertools
from collections.abc import Iterator

from flask_babel import lazy_gettext as _l

from importers.base import FileRefused, Row, RowProblem, missing_columns
from importers.orders._common import Collector, Columns, OrderRows, each, given, header_aliases, read
from importers.orders.normalize import payment_method
from importers.orders.records import LineRecord, OrderRecord, ParseResult, lines_total, records


CHANNEL = 'yahoo'

ORDER_COLUMNS = {
    'order_id': ('OrderId', '注文番号', '注文ID'),
    'ordered_at': ('OrderTime', '注文日時', '注文時間'),
    'ship_name': ('ShipName', 'お届け先氏名', 'お届け先名'),
    'ship_last_name': ('ShipLastName',),
    'ship_first_name': ('ShipFirstName',),
    'ship_kana': ('ShipNameKana', 'お届け先氏名カナ', 'お届け先氏名フリガナ'),
    'ship_last_kana': ('ShipLastNameKana',),
    'ship_first_kana': ('ShipFirstNameKana',),
    'ship_zip': ('ShipZipCode', 'お届け先郵便番号'),
    'ship_prefecture': ('ShipPrefecture', 'お届け先都道府県'),
    'ship_city': ('ShipCity', 'お届け先市区郡', 'お届け先市区町村'),
    'ship_address1': ('ShipAddress1', 'お届け先住所1'),
    'ship_address2': ('ShipAddress2', 'お届け先住所2'),
    'ship_phone': ('ShipPhoneNumber', 'お届け先電話番号'),
    'buyer_name': ('BillName', 'ご注文者氏名'),
    'buyer_last_name': ('BillLastName',),
    'buyer_first_name': ('BillFirstName',),
    'buyer_kana': ('BillNameKana', 'ご注文者氏名カナ', 'ご注文者氏名フリガナ'),
    'buyer_last_kana': ('BillLastNameKana',),
    'buyer_first_kana': ('BillFirstNameKana',),
    'buyer_email': ('BillMailAddress', 'ご注文者メールアドレス'),
    'buyer_phone': ('BillPhoneNumber', 'ご注文者電話番号'),
    'payment': ('PayMethodName', '支払い方法', 'お支払い方法'),
    'shipping_fee': ('ShipCharge', '送料'),
    'cod_fee': ('PayCharge', '手数料'),
    'total': ('Total', '合計金額'),
    'billed': ('SettleAmount', '決済金額', '請求金額'),
    'use_point': ('UsePoint', 'ポイント利用額', '利用ポイント'),
    'mall_coupon': ('TotalMallCouponDiscount', 'モールクーポン値引き額'),
    'delivery_date': ('ShipRequestDate', 'お届け希望日'),
    'delivery_time': ('ShipRequestTime', 'お届け希望時間'),
    'gift_wrap': ('GiftWrapType', 'ギフト包装'),
    'comment': ('BuyerComments', '備考'),
    'ship_notes': ('ShipNotes',),
}

ITEM_COLUMNS = {
    'order_id': ('OrderId', '注文番号', '注文ID'),
    'line_id': ('LineId', '明細番号', '行番号'),
    'quantity': ('Quantity', '個数', '数量'),
    'item_id': ('ItemId', '商品コード'),
    'sub_code': ('SubCode', 'サブコード'),
    'title': ('Title', '商品名'),
    'option_name': ('ItemOptionName',),
    'option_value': ('ItemOptionValue',),
    'sub_code_option': ('SubCodeOption',),
    'inscription_name': ('InscriptionName',),
    'inscription_value': ('InscriptionValue',),
    'unit_price': ('UnitPrice', '単価'),
    'jan': ('Jan', 'JANコード'),
    'tax_rate': ('ItemTaxRatio', '税率'),
}

ORDER_REQUIRED = ('order_id', 'ordered_at', 'ship_zip', 'ship_prefecture', 'ship_address1')
ITEM_REQUIRED = ('order_id', 'quantity', 'item_id', 'unit_price')


def file_kind(header: list[str]) -> str | None:
    """'orders' or 'items' for a Yahoo file's header, None when it is neither."""
    columns = header_aliases(header, ORDER_COLUMNS | ITEM_COLUMNS)
    if 'order_id' not in columns:
        return None
    if 'quantity' in columns:
        return 'items'
    if 'ordered_at' in columns or 'ship_zip' in columns:
        return 'orders'
    return None


def parse(files: list[tuple[str, bytes]]) -> ParseResult:
    """Read a Yahoo orders file and its items file (both are needed) into orders."""
    order_files, item_files = [], []
    for filename, data in given(files):
        header, rows = read(data, filename)
        kind = file_kind(header)
        if kind is None:
            raise FileRefused(filename, _l('not a Yahoo orders or items file: the header has no OrderId/注文番号 with '
                                           'OrderTime/注文日時 (orders) or Quantity/個数 (items)'))
        aliases = ORDER_COLUMNS if kind == 'orders' else ITEM_COLUMNS
        columns = header_aliases(header, aliases)
        _require(filename, columns, aliases, ORDER_REQUIRED if kind == 'orders' else ITEM_REQUIRED)
        if kind == 'orders' and not ({'ship_name', 'ship_last_name'} & columns.keys()):
            raise missing_columns(filename, 'ShipName, ShipLastName or お届け先氏名')
        (order_files if kind == 'orders' else item_files).append((filename, rows, columns))
    if not order_files:
        raise FileRefused(files[0][0], _l('the Yahoo orders file is missing: upload the orders file and the items '
                                          'file together'))
    if not item_files:
        raise FileRefused(files[0][0], _l('the Yahoo items file is missing: upload the orders file and the items '
                                          'file together'))

    collector = Collector()
    items: dict[str, list[tuple[str, Row, dict[str, str]]]] = {}
    lines: dict[str, list[LineRecord]] = {}
    item_problems: list[RowProblem] = []
    for filename, rows, columns in item_files:
        groups = collector.group(filename, rows, columns['order_id'])
        for key, group in groups.items():
            items.setdefault(key, []).extend((filename, row, columns) for row in group)
        file_items = OrderRows(filename, groups, columns)
        for key, order_lines in zip(file_items.keys, file_items.per_order(_lines(file_items.items))):
            lines.setdefault(key, []).extend(order_lines)
        item_problems.extend(file_items.problems())

    for filename, rows, columns in order_files:
        groups = collector.group(filename, rows, columns['order_id'])
        orders = OrderRows(filename, groups, columns)
        problems = [problem for problem in item_problems if problem.key in groups]
        for index, (key, group) in enumerate(groups.items()):
            for extra in group[1:]:
                problems.append(RowProblem(
                    filename, extra.line, columns['order_id'], key,
                    str(_l('the order is on line %(line)d already; the orders file has one row per order',
                           line=group[0].line)), key))
            if key not in items:
                orders.head.problem(index, columns['order_id'], key, _l('the order has no items in the items file'))
            items.pop(key, None)
        collector.add_orders(orders, columns['order_id'], _orders(orders, [lines.get(key, []) for key in groups]),
                             problems)

    for key, orphans in items.items():
        for filename, row, columns in orphans:
            collector.result.problems.append(RowProblem(
                filename, row.line, columns['order_id'], key, str(_l('the item has no order in the orders file')), key))
    return collector.result


def _require(filename: str, columns: dict[str, str], aliases: dict[str, tuple[str, ...]],
             required: tuple[str, ...]) -> None:
    missing = [' or '.join(aliases[field]) for field in required if field not in columns]
    if missing:
        raise missing_columns(filename, ', '.join(missing))


def _orders(orders: OrderRows, lines: list[list[LineRecord]]) -> Iterator[OrderRecord]:
    """The orders from their rows of the orders file and their lines from the items file."""
    o = orders.head
    shipping_fees = o.fee('shipping_fee')
    cod_fees = o.fee('cod_fee')
    stated = o.yen('total')
    amounts_due = _amounts_due(o, stated)
    totals = [lines_total(group) + shipping + cod if total is None else total
              for total, group, shipping, cod in zip(stated, lines, shipping_fees, cod_fees)]
    return records(OrderRecord, {
        'filename': itertools.repeat(orders.filename),
        'line': o.lines,
        'channel': itertools.repeat(CHANNEL),
        'external_order_id': orders.keys,
        'ordered_at': o.ordered_at('ordered_at'),
        'buyer_name': _names(o, 'buyer_last_name', 'buyer_first_name', 'buyer_name'),
        'buyer_kana': _names(o, 'buyer_last_kana', 'buyer_first_kana', 'buyer_kana'),
        'buyer_email': o.text('buyer_email'),
        'buyer_phone': o.phone('buyer_phone'),
        'ship_name': _names(o, 'ship_last_name', 'ship_first_name', 'ship_name'),
        'ship_kana': _names(o, 'ship_last_kana', 'ship_first_kana', 'ship_kana'),
        'ship_postal_code': o.postal_code('ship_zip'),
        'ship_prefecture': o.prefecture('ship_prefecture'),
        'ship_city': o.text('ship_city'),
        'ship_address1': o.text('ship_address1'),
        'ship_address2': o.text('ship_address2'),
        'ship_phone': o.phone('ship_phone'),
        'payment_method': each(payment_method, o.text('payment')),
        'shipping_fee': shipping_fees,
        'cod_fee': cod_fees,
        'total': totals,
        'delivery_date': o.date('delivery_date'),
        'delivery_time_slot': o.text('delivery_time'),
        'gift_wrap': o.text('gift_wrap'),
        'noshi': itertools.repeat(''),
        # ShipNotes (the buyer's note on delivery: 置き配, a gate code) joins BuyerComments: both must reach a clerk
        'customer_comment': o.joined('comment', 'ship_notes', sep='\n'),
        'lines': lines,
        'amount_due': amounts_due,
    })


def _amounts_due(o: Columns, totals: list[int | None]) -> list[int | None]:
    """What each order is billed: SettleAmount (決済金額) when the template has it; else Total when the order used
    no points (UsePoint) and no mall coupon (TotalMallCouponDiscount); None (not known) otherwise.

    Whether Total is before or after the points is not settled: the public readers give only the names, and a
    file with both Total and TotalPrice reads as if Total were after them.  Taking them off again would
    undercharge, leaving them on would overcharge: with points or a coupon and no SettleAmount, a clerk enters
    the amount (the carrier file refuses the COD parcel until then).  Store coupons are not taken off again:
    Yahoo has already taken them off the item prices (UnitPrice).
    """
    billed = o.yen('billed')
    if not (o.has('use_point') and o.has('mall_coupon')):
        return billed
    settled = {index for index, (amount, total) in enumerate(zip(billed, totals))
               if amount is not None or total is None}
    return [amount if index in settled else None if points or coupon else total
            for index, (amount, total, points, coupon) in enumerate(zip(
                billed, totals, o.fee('use_point', skip=settled), o.fee('mall_coupon', skip=settled)))]


def _names(o: Columns, last: str, first: str, whole: str) -> list[str]:
    # Japanese order: family name first
    return [parts or name for parts, name in zip(o.joined(last, first), o.text(whole))]


def _lines(items: Columns) -> list[LineRecord]:
    options = [[f'{name}:{value}' for name, value in pairs if name or value]
               for pairs in zip(zip(items.text('option_name'), items.text('option_value')),
                                zip(items.text('inscription_name'), items.text('inscription_value')))]
    return list(records(LineRecord, {
        'line': items.lines,
        'channel_line_id': items.text('line_id'),
        # the SubCode names the variant (colour, size) a shop stocks; ItemId is the product page
        'item_code': items.text('sub_code', 'item_id'),
        'jan': items.text('jan'),
        'name': items.text('title'),
        'option_text': ['\n'.join(chosen + ([sub_code] if sub_code else []))
                        for chosen, sub_code in zip(options, items.text('sub_code_option'))],
        'quantity': items.quantity('quantity'),
        # UnitPrice is what the buyer pays: Yahoo has already taken fixed-rate coupons off it
        'unit_price': items.price('unit_price'),
        'tax_rate': items.tax_rate('tax_rate'),
        'tax_excluded': itertools.repeat(False),
    }))
