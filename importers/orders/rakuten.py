"""Rakuten Ichiba 楽天ペイ受注 CSV (RMS, 2018/19 onwards), docs/formats.md §1a.

One row per item (商品明細ID); the order's columns are repeated on every row, so rows are grouped by
注文番号 and the order is read from its first row.  Newer downloads append columns (SKU管理番号,
商品税率, 商品毎税込価格, ...): every column is read by name, so they are used when present.
The old 通常購入データ layout (受注番号, 126 columns) is not this format.
"""
from importers.orders._common import Cells, Collector, given, read
from importers.orders.normalize import payment_method
from importers.orders.records import LineRecord, OrderRecord, ParseResult, lines_total


CHANNEL = 'rakuten'
ORDER_ID = '注文番号'
REQUIRED = (ORDER_ID, '注文日時', '商品明細ID', '商品名', '単価', '個数', '送付先郵便番号1', '送付先郵便番号2',
            '送付先住所都道府県', '送付先住所郡市区', '送付先住所それ以降の住所', '送付先姓', '送付先名')


def parse(files: list[tuple[str, bytes]]) -> ParseResult:
    """Read 楽天ペイ受注 CSV files into orders."""
    collector = Collector()
    for filename, data in given(files):
        _, rows = read(data, filename, required=REQUIRED)
        for key, group in collector.group(filename, rows, ORDER_ID).items():
            collector.add_rows(filename, key, group, ORDER_ID, _order)
    return collector.result


def _order(cells: list[Cells]) -> OrderRecord:
    first = cells[0]
    _check_one_ship_to(cells)
    lines = [_line(c) for c in cells]
    shipping_fee = first.yen('送料合計') or 0
    cod_fee = first.yen('代引料合計') or 0
    # 合計金額 is the order's total before points and coupons; 請求金額 (what is billed) is the fallback
    total = first.yen('合計金額')
    if total is None:
        total = first.yen('請求金額')
    if total is None:
        total = lines_total(lines) + shipping_fee + cod_fee
    return OrderRecord(
        filename=first.filename,
        line=first.line,
        channel=CHANNEL,
        external_order_id=first.key,
        ordered_at=first.ordered_at('注文日時'),
        buyer_name=first.joined('注文者姓', '注文者名'),
        buyer_kana=first.joined('注文者姓カナ', '注文者名カナ'),
        buyer_email=first.text('注文者メールアドレス'),
        buyer_phone=first.phone('注文者電話番号1', '注文者電話番号2', '注文者電話番号3'),
        ship_name=first.joined('送付先姓', '送付先名'),
        ship_kana=first.joined('送付先姓カナ', '送付先名カナ'),
        ship_postal_code=first.postal_code('送付先郵便番号1', '送付先郵便番号2'),
        ship_prefecture=first.prefecture('送付先住所都道府県'),
        ship_city=first.text('送付先住所郡市区'),
        ship_address1=first.text('送付先住所それ以降の住所'),
        # Rakuten keeps the whole street address, building included, in one column
        ship_address2='',
        ship_phone=first.phone('送付先電話番号1', '送付先電話番号2', '送付先電話番号3'),
        payment_method=payment_method(first.text('支払方法名')),
        shipping_fee=shipping_fee,
        cod_fee=cod_fee,
        total=total,
        delivery_date=first.date('お届け日指定'),
        delivery_time_slot=first.text('お届け時間帯'),
        gift_wrap=first.text('ラッピング名1'),
        noshi=first.text('のし'),
        customer_comment=first.text('コメント'),
        lines=lines,
    )


def _line(c: Cells) -> LineRecord:
    # 商品毎税込価格 (newer files) is the tax-included price whatever the shop's 税込別 setting;
    # without it 単価 is taken as tax-included, as shops have had to show it since 2021 (総額表示)
    price_column = '商品毎税込価格' if c.text('商品毎税込価格') else '単価'
    return LineRecord(
        line=c.line,
        channel_line_id=c.text('商品明細ID'),
        # the SKU a shop manages stock by, where it has SKUs; else the item's own code
        item_code=c.text('SKU管理番号', '商品管理番号', '商品番号'),
        jan='',
        name=c.text('商品名'),
        option_text=c.text('項目・選択肢'),
        quantity=c.quantity('個数'),
        unit_price=c.price(price_column),
        tax_rate=c.tax_rate('商品税率'),
    )


def _check_one_ship_to(cells: list[Cells]) -> None:
    # an OrderRecord ships to one address; a 複数送付先 order must be split by a person, not guessed at
    first_ship_to = cells[0].text('送付先ID')
    for c in cells[1:]:
        if c.text('送付先ID') != first_ship_to:
            c.problem('送付先ID', c.text('送付先ID'),
                      'the order ships to more than one address (複数送付先); enter it by hand')
            return
