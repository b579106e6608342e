"""Rakuten Ichiba 楽天ペイ受注 CSV (RMS, 2018/19 onwards), docs/formats.md §1a.

One row per item (商品明細ID); the order's columns are repeated on every row, so rows are grouped by
注文番号 and the order is read from its first row.  Newer downloads append columns (SKU管理番号,
商品税率, 商品毎税込価格, ...): every column is read by name, so they are used when present.
The old 通常購入データ layout (受注番号, 126 columns) is not this format.
"""
import itertools
from collections.abc import Iterator

from flask_babel import lazy_gettext as _l

from importers.orders._common import Collector, Columns, OrderRows, each, given, read
from importers.orders.normalize import payment_method
from importers.orders.records import LineRecord, OrderRecord, ParseResult, lines_total, records


CHANNEL = 'rakuten'
ORDER_ID = '注文番号'
REQUIRED = (ORDER_ID, '注文日時', '商品明細ID', '商品名', '単価', '個数', '送付先郵便番号1', '送付先郵便番号2',
            '送付先住所都道府県', '送付先住所郡市区', '送付先住所それ以降の住所', '送付先姓', '送付先名')
# every column read below: the other seventy of a download are dropped as the file is read
COLUMNS = REQUIRED + (
    '送料合計', '代引料合計', '合計金額', '請求金額', '注文者姓', '注文者名', '注文者姓カナ', '注文者名カナ',
    '注文者メールアドレス', '注文者電話番号1', '注文者電話番号2', '注文者電話番号3', '送付先姓カナ', '送付先名カナ',
    '送付先電話番号1', '送付先電話番号2', '送付先電話番号3', '支払方法名', 'お届け日指定', 'お届け時間帯',
    'ラッピング名1', 'のし', 'コメント', '送付先ID', 'SKU管理番号', '商品管理番号', '商品番号', '項目・選択肢',
    '商品毎税込価格', '商品税率', 'ポイント利用額', 'クーポン利用総額', '税込別')


def parse(files: list[tuple[str, bytes]]) -> ParseResult:
    """Read 楽天ペイ受注 CSV files into orders."""
    collector = Collector()
    for filename, data in given(files):
        _, rows = read(data, filename, required=REQUIRED, columns=COLUMNS)
        orders = OrderRows(filename, collector.group(filename, rows, ORDER_ID))
        collector.add_orders(orders, ORDER_ID, _orders(orders))
    return collector.result


def _orders(orders: OrderRows) -> Iterator[OrderRecord]:
    """The orders, their columns read from each order's first row, the lines' from every row."""
    head, items = orders.head, orders.items
    _check_one_ship_to(orders)
    lines = _lines(items)

    shipping_fees = head.fee('送料合計')
    cod_fees = head.fee('代引料合計')
    # 合計金額 is the order's total before points and coupons; 請求金額 (what is billed) is the fallback
    totals, billed = head.yen('合計金額'), head.yen('請求金額')
    stated_totals = [total if total is not None else amount for total, amount in zip(totals, billed)]
    amounts_due = _amounts_due(head, totals, billed)
    columns = {
        'ordered_at': head.ordered_at('注文日時'),
        'buyer_name': head.joined('注文者姓', '注文者名'),
        'buyer_kana': head.joined('注文者姓カナ', '注文者名カナ'),
        'buyer_email': head.text('注文者メールアドレス'),
        'buyer_phone': head.phone('注文者電話番号1', '注文者電話番号2', '注文者電話番号3'),
        'ship_name': head.joined('送付先姓', '送付先名'),
        'ship_kana': head.joined('送付先姓カナ', '送付先名カナ'),
        'ship_postal_code': head.postal_code('送付先郵便番号1', '送付先郵便番号2'),
        'ship_prefecture': head.prefecture('送付先住所都道府県'),
        'ship_city': head.text('送付先住所郡市区'),
        'ship_address1': head.text('送付先住所それ以降の住所'),
        'ship_phone': head.phone('送付先電話番号1', '送付先電話番号2', '送付先電話番号3'),
        'payment_method': each(payment_method, head.text('支払方法名')),
        'delivery_date': head.date('お届け日指定'),
        'delivery_time_slot': head.text('お届け時間帯'),
        'gift_wrap': head.text('ラッピング名1'),
        'noshi': head.text('のし'),
        'customer_comment': head.text('コメント'),
    }
    order_lines = orders.per_order(lines)
    if None in stated_totals:
        stated_totals = [lines_total(group) + shipping + cod if total is None else total
                         for total, group, shipping, cod in zip(stated_totals, order_lines, shipping_fees, cod_fees)]
    return records(OrderRecord, columns | {
        'line': head.lines, 'channel': itertools.repeat(CHANNEL), 'external_order_id': orders.keys,
        # Rakuten keeps the whole street address, building included, in one column
        'ship_address2': itertools.repeat(''), 'shipping_fee': shipping_fees, 'cod_fee': cod_fees,
        'total': stated_totals, 'lines': order_lines, 'filename': itertools.repeat(orders.filename),
        'amount_due': amounts_due})


def _lines(items: Columns) -> list[LineRecord]:
    # 商品毎税込価格 (newer files) is the tax-included price whatever the shop's 税込別 setting;
    # without it 単価 is taken as tax-included, as shops have had to show it since 2021 (総額表示)
    return list(records(LineRecord, {
        'line': items.lines,
        'channel_line_id': items.text('商品明細ID'),
        # the SKU a shop manages stock by (158-column files since the 2023 SKU project); else 商品番号, the
        # shop's item number, which carries the variant (項目選択肢別在庫's 横軸/縦軸 codes appended); only
        # then 商品管理番号, the product page's URL code, one for every variant (107-column files)
        'item_code': items.text('SKU管理番号', '商品番号', '商品管理番号'),
        'jan': itertools.repeat(''),
        'name': items.text('商品名'),
        'option_text': items.text('項目・選択肢'),
        'quantity': items.quantity('個数'),
        'unit_price': items.price('商品毎税込価格', '単価'),
        'tax_rate': items.tax_rate('商品税率'),
        'tax_excluded': _tax_excluded(items)}))


def _amounts_due(head: Columns, totals: list[int | None], billed: list[int | None]) -> list[int | None]:
    """What each order is billed: 請求金額, else 合計金額 less the points and coupons used, when the file has
    both columns; None when it cannot be worked out (a COD parcel is then refused, not overcharged)."""
    if not (head.has('ポイント利用額') and head.has('クーポン利用総額')):
        return billed
    # クーポン利用総額 is 店舗発行 + 楽天発行クーポン利用額 together
    return [amount if amount is not None else None if total is None else total - points - coupons
            for amount, total, points, coupons in zip(billed, totals, head.fee('ポイント利用額'),
                                                      head.fee('クーポン利用総額'))]


def _tax_excluded(items: Columns) -> list[bool]:
    """Per row, whether 単価 is before tax: 税込別 0 (1 or empty: tax included), unless 商品毎税込価格 gives the
    tax-included price itself."""
    flags = items.text('税込別')
    if set(flags) - {'', '0', '1'}:
        for index, flag in enumerate(flags):
            if flag not in ('', '0', '1'):
                items.problem(index, '税込別', flag, _l('must be 1 (tax included) or 0 (tax excluded)'))
    return [flag == '0' and not included for flag, included in zip(flags, items.text('商品毎税込価格'))]


def _check_one_ship_to(orders: OrderRows) -> None:
    # an OrderRecord ships to one address; a 複数送付先 order must be split by a person, not guessed at
    ship_to = orders.items.text('送付先ID')
    for rows in orders.item_rows():
        for row in rows[1:]:
            if ship_to[row] != ship_to[rows.start]:
                orders.items.problem(row, '送付先ID', ship_to[row],
                                     _l('the order ships to more than one address (複数送付先); enter it by hand'))
                break
