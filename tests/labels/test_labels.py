"""PDF documents: each test builds a document from plain records, then reads it back as a scanner and a reader would.

Barcodes are proven by rendering the page (pypdfium2) and decoding the image (zxing-cpp); text by
extracting it from the page.  No application and no database: the documents take plain values.

zxing-cpp returns an NW-7 (Codabar) reading with its start/stop characters (``A444413758703A``);
some readers (and other zxing versions or text modes) leave them out, so :func:`codabar_digits`
drops them before comparing.
"""
import dataclasses
import datetime

import pypdfium2 as pdfium
import pytest
import zxingcpp

from importers.base import JST
from importers.codes import formatted_tracking, with_jan_check_digit, with_tracking_check_digit
from labels import (
    Address,
    CustomerRequest,
    FontNotFound,
    JanLabel,
    LabelLine,
    PackingSlip,
    PickItem,
    PickList,
    PickOrder,
    ShippingLabel,
    SlipLine,
    fonts,
    jan_sheet,
    packing_slips,
    pick_list,
    shipping_labels,
)
from labels.base import _char_widths, clip, wrap
from labels.customer_requests import request_entries
from labels.picking import plan_pages
from labels.shipping import item_summary
from labels.slips import MAX_REQUEST_LINES, RateTotal, paginate, tax_by_rate


CODABAR, CODE128, EAN13, EAN8 = (zxingcpp.BarcodeFormat.Codabar, zxingcpp.BarcodeFormat.Code128,
                                 zxingcpp.BarcodeFormat.EAN13, zxingcpp.BarcodeFormat.EAN8)
INCH = 72  # points


@pytest.fixture(autouse=True)
def app_context():
    """Replaces the application context of tests/conftest.py: documents need no app and no database."""


# -- reading a PDF back ---------------------------------------------------------------------------------

def pages(pdf: bytes) -> int:
    return len(pdfium.PdfDocument(pdf))


def page_size(pdf: bytes, index: int = 0) -> tuple[float, float]:
    return tuple(round(v, 1) for v in pdfium.PdfDocument(pdf)[index].get_size())


def page_text(pdf: bytes, index: int = 0) -> str:
    """The page's text, each line's runs of spaces made one (extraction does not keep them)."""
    text = pdfium.PdfDocument(pdf)[index].get_textpage().get_text_range()
    return '\n'.join(' '.join(line.split()) for line in text.splitlines())


def scan(pdf: bytes, index: int = 0, formats=(CODABAR, CODE128), dpi: int = 200) -> list[tuple[str, str]]:
    """(format, text) of every barcode zxing-cpp finds on the page rendered at `dpi`, top to bottom."""
    image = pdfium.PdfDocument(pdf)[index].render(scale=dpi / INCH).to_pil()
    found = zxingcpp.read_barcodes(image, formats=formats)
    found.sort(key=lambda b: (b.position.top_left.y, b.position.top_left.x))
    return [(b.format.name, b.text) for b in found]


def codabar_digits(text: str) -> str:
    """An NW-7 reading without its start/stop characters (A-D), whether the reader kept them or not."""
    return text[1:-1] if len(text) >= 2 and text[0] in 'ABCD' and text[-1] in 'ABCD' else text


# -- records --------------------------------------------------------------------------------------------

SHIP_TO = Address('1000001', '東京都', '千代田区', '千代田1-1', '皇居外苑マンション 101号室', '髙橋 花子',
                  '03-1234-5678')
SENDER = Address('5300001', '大阪府', '大阪市北区', '梅田1-2-3', '蔵ビル5F', '蔵ストア', '06-1111-2222')
ITEM_NAMES = ('有機緑茶 ティーバッグ 20袋入り', '抹茶チョコレート', '煎茶 100g', '湯呑み 有田焼', '急須 常滑焼 朱泥')


def tracking(n: int) -> str:
    """A valid 12-digit carrier number (the last digit = the first 11 mod 7)."""
    return with_tracking_check_digit(f'{44441375870 + n:011}')


def jan(n: int) -> str:
    return with_jan_check_digit(f'4569951{n:05}')


def make_label(n: int = 0, **changes) -> ShippingLabel:
    values = {'order_number': f'K{123 + n:08}', 'tracking_number': tracking(n), 'carrier': 'yamato',
              'carrier_name': 'ヤマト運輸', 'service': '宅急便', 'ship_to': SHIP_TO, 'sender': SENDER,
              'items': tuple(LabelLine(f'SKU-{i:03}', name, i + 1) for i, name in enumerate(ITEM_NAMES[:2])),
              'delivery_date': datetime.date(2026, 1, 17), 'time_slot': '14-16時', 'cod_amount': 0,
              'ship_date': datetime.date(2026, 1, 15)}
    return ShippingLabel(**{**values, **changes})


def make_slip(lines: tuple[SlipLine, ...] | None = None, **changes) -> PackingSlip:
    if lines is None:
        lines = (SlipLine('TEA-001', '煎茶 100g', 2, 1080, 8),  # food: the reduced rate
                 SlipLine('CUP-001', '湯呑み 有田焼', 1, 3300, 10),
                 SlipLine('CHO-001', '抹茶チョコレート', 3, 540, 8))
    fees = {'shipping_fee': 600, 'cod_fee': 330, **{k: v for k, v in changes.items() if k.endswith('_fee')}}
    total = sum(line.quantity * line.unit_price for line in lines) + fees['shipping_fee'] + fees['cod_fee']
    values = {'order_number': 'K00000123', 'ordered_at': datetime.datetime(2026, 1, 14, 20, 30, tzinfo=datetime.UTC),
              'shop_name': '蔵ストア', 'shop_address': SENDER, 'ship_to': SHIP_TO, 'buyer_name': '髙橋 太郎',
              'lines': lines, 'total': total, 'note': '', **fees}
    return PackingSlip(**{**values, **changes})


#: what a customer asked for with one order: every kind of wish, a comment of two lines
WISHES = CustomerRequest('K00000001', gift_wrap='ギフト包装', noshi='御出産祝 山田太郎',
                         comment='チャイムは鳴らさないでください。\n不在時は宅配ボックスへ。',
                         delivery_date=datetime.date(2026, 1, 17), time_slot='14-16時')
WISH_LINES = ['【お届け指定】2026年1月17日(土) 時間帯 14-16時', '【ギフト包装】ギフト包装', '【のし】御出産祝 山田太郎',
              '【コメント】チャイムは鳴らさないでください。', '不在時は宅配ボックスへ。']


def in_sequence(expected: list[str], text: str) -> bool:
    """The `expected` lines are consecutive lines of `text`."""
    lines = text.splitlines()
    return any(lines[i:i + len(expected)] == expected for i in range(len(lines)))


def make_pick(orders: int = 12, skus: int = 40) -> PickList:
    """A batch of `orders` orders of 3 lines each, the totals in walking (location) order."""
    products = [PickItem(f'A-{i // 10 + 1:02}-{i % 10 + 1:02}', f'SKU-{i:04}', ITEM_NAMES[i % len(ITEM_NAMES)],
                         jan(i), 0) for i in range(skus)]
    quantities = [0] * skus
    pick_orders = []
    for o in range(orders):
        items = []
        for k in range(3):
            s, quantity = (o * 7 + k * 13) % skus, (o + k) % 3 + 1
            quantities[s] += quantity
            items.append(dataclasses.replace(products[s], quantity=quantity))
        walk = tuple(sorted(items, key=lambda item: item.location))
        pick_orders.append(PickOrder(f'K{o + 1:08}', f'顧客{o} 様方 髙橋', walk))
    totals = tuple(dataclasses.replace(p, quantity=q) for p, q in zip(products, quantities) if q)
    return PickList('B20260115-001', datetime.datetime(2026, 1, 15, 9, 30, tzinfo=JST), totals, tuple(pick_orders))


# -- shipping labels ------------------------------------------------------------------------------------

@pytest.mark.parametrize('carrier', ['yamato', 'sagawa', 'japanpost'])
def test_carrier_tracking_number_scans_as_nw7(carrier):
    label = make_label(3, carrier=carrier)
    pdf = shipping_labels([label])
    found = scan(pdf)
    assert [codabar_digits(text) for kind, text in found if kind == 'Codabar'] == [label.tracking_number]
    assert ('Codabar', f'A{label.tracking_number}A') in found  # start/stop A, as carriers print them


def test_order_number_scans_as_code128():
    assert ('Code128', 'K00000123') in scan(shipping_labels([make_label()]))


def test_tracking_number_of_another_carrier_scans_as_code128():
    label = make_label(carrier='other', carrier_name='自社便', service='', tracking_number='KURA-000123')
    assert scan(shipping_labels([label])) == [('Code128', 'KURA-000123'), ('Code128', 'K00000123')]


def test_hyphenated_carrier_number_is_encoded_as_digits():
    label = make_label(tracking_number=formatted_tracking(tracking(0)))
    assert ('Codabar', f'A{tracking(0)}A') in scan(shipping_labels([label]))


def test_a_cod_label_whose_amount_is_not_known_says_so_rather_than_print_a_guess():
    text = page_text(shipping_labels([make_label(cod_amount=None)]))
    assert '代金引換 金額未確定' in text
    assert '代金引換' not in page_text(shipping_labels([make_label(cod_amount=0)]))


def test_label_text():
    items = tuple(LabelLine(f'SKU-{i}', name, 1) for i, name in enumerate(ITEM_NAMES * 2))
    text = page_text(shipping_labels([make_label(cod_amount=12340, items=items)]))
    for expected in ('ヤマト運輸 宅急便', '出荷日 2026/01/15', formatted_tracking(tracking(0)), '〒100-0001',
                     '東京都千代田区千代田1-1', '皇居外苑マンション 101号室', '髙橋 花子 様', 'TEL 03-1234-5678',
                     '2026年1月17日(土)', '14-16時', '代金引換 ¥12,340', '品名 (計10点)',
                     '有機緑茶 ティーバッグ 20袋入り ×1', 'K00000123', '〒530-0001 大阪府大阪市北区梅田1-2-3 蔵ビル5F',
                     '蔵ストア TEL 06-1111-2222'):
        assert expected in text
    shown = [line for line in text.splitlines() if line.endswith(' ×1')]
    assert 0 < len(shown) < 10
    assert f'他{10 - len(shown)}点' in text.splitlines()  # the lines left out, counted


def test_label_without_cod_or_delivery_date():
    text = page_text(shipping_labels([make_label(delivery_date=None, time_slot='')]))
    assert '代金引換' not in text
    assert text.count('指定なし') == 2


def test_item_summary_lists_the_first_lines_then_the_rest_as_a_count():
    items = [LabelLine(f'S{i}', f'品{i}', i) for i in range(1, 6)]
    assert item_summary(items, 5) == ['品1 ×1', '品2 ×2', '品3 ×3', '品4 ×4', '品5 ×5']
    assert item_summary(items, 3) == ['品1 ×1', '品2 ×2', '他3点']


def test_4x6_layout_is_one_label_per_4x6_inch_page():
    pdf = shipping_labels([make_label(n) for n in range(3)])
    assert pages(pdf) == 3
    assert page_size(pdf) == (4 * INCH, 6 * INCH)


def test_a4_two_up_puts_two_labels_on_each_page():
    labels = [make_label(n) for n in range(3)]
    pdf = shipping_labels(labels, layout='a4-2up')
    assert pages(pdf) == 2
    assert page_size(pdf) == (841.9, 595.3)  # A4 landscape: its halves are the two labels of an A4 2面 sheet
    first = scan(pdf, 0)
    assert sorted(codabar_digits(text) for kind, text in first if kind == 'Codabar') == [tracking(0), tracking(1)]
    assert sorted(text for kind, text in first if kind == 'Code128') == ['K00000123', 'K00000124']
    assert [codabar_digits(text) for kind, text in scan(pdf, 1) if kind == 'Codabar'] == [tracking(2)]
    assert page_text(pdf, 0).count('髙橋 花子 様') == 2


@pytest.mark.parametrize(('changes', 'message'), [
    ({'tracking_number': '444413758704'}, 'not a yamato tracking number'),  # wrong check digit
    ({'tracking_number': '12345'}, 'not a yamato tracking number'),
    ({'carrier': 'fedex'}, 'carrier must be one of'),
    ({'cod_amount': -1}, 'cannot be negative'),
    ({'carrier': 'other', 'tracking_number': '追跡123'}, 'printable ASCII'),
])
def test_label_that_would_print_wrong_is_refused(changes, message):
    with pytest.raises(ValueError, match=message):
        shipping_labels([make_label(**changes)])


def test_label_without_a_tracking_number_yet():
    pdf = shipping_labels([make_label(tracking_number='')])
    assert '未採番' in page_text(pdf)
    assert scan(pdf) == [('Code128', 'K00000123')]


def test_unknown_layout_and_no_labels_are_refused():
    with pytest.raises(ValueError, match='layout'):
        shipping_labels([make_label()], layout='a5')
    with pytest.raises(ValueError, match='no shipping labels'):
        shipping_labels([])


# -- packing slips --------------------------------------------------------------------------------------

def test_tax_by_rate_is_the_tax_included_in_each_rates_total():
    # 10%: 3,300 + shipping 600 + COD fee 330 = 4,230, tax 4230*10//110 = 384
    # 8%: 2,160 + 1,620 = 3,780, tax 3780*8//108 = 280
    assert tax_by_rate(make_slip()) == [RateTotal(10, 4230, 384), RateTotal(8, 3780, 280)]
    only_standard = make_slip((SlipLine('CUP-001', '湯呑み', 1, 3300, 10),), cod_fee=0)
    assert tax_by_rate(only_standard) == [RateTotal(10, 3900, 354)]


def test_slip_text():
    pdf = packing_slips([make_slip(note='ギフト包装をご希望です。')])
    assert pages(pdf) == 1
    assert page_size(pdf) == (595.3, 841.9)
    text = page_text(pdf)
    for expected in ('納品書', '髙橋 太郎 様', '〒100-0001', '髙橋 花子 様', 'ご注文番号 K00000123',
                     'ご注文日 2026年1月15日(木)',  # 20:30 UTC is the next morning in Japan
                     '蔵ストア', 'TEA-001 煎茶 100g 2 ¥1,080 ¥2,160 ※', 'CUP-001 湯呑み 有田焼 1 ¥3,300 ¥3,300',
                     '小計 ¥7,080', '送料 ¥600', '代引手数料 ¥330', '合計 (税込) ¥8,010',
                     '10%対象 ¥4,230 内消費税 ¥384', '8%対象 ※ ¥3,780 内消費税 ¥280', '※は軽減税率(8%)対象商品です。',
                     '備考', 'ギフト包装をご希望です。'):
        assert expected in text
    assert 'CUP-001 湯呑み 有田焼 1 ¥3,300 ¥3,300 ※' not in text
    assert '1/1' not in text  # a one-page slip has no page numbers


def test_long_slip_has_page_numbers_and_the_totals_on_its_last_page():
    lines = tuple(SlipLine(f'SKU-{i:03}', f'商品{i}', 1, 100, 10) for i in range(80))
    pdf = packing_slips([make_slip(lines, cod_fee=0), make_slip()], size='a5')
    assert page_size(pdf) == (419.5, 595.3)
    slip_pages = [page_text(pdf, i) for i in range(pages(pdf))]
    count = len(slip_pages) - 1  # the last page is the second slip
    assert count >= 3
    for number, text in enumerate(slip_pages[:count], start=1):
        assert f'{number}/{count}' in text
        assert ('合計 (税込) ¥8,600' in text) == (number == count)
    assert all(sum(f'SKU-{i:03} ' in text for text in slip_pages) == 1 for i in range(80))
    assert '納品書 (続き)' in slip_pages[1]
    assert '合計 (税込) ¥8,010' in slip_pages[-1]


def test_paginate_keeps_room_for_the_summary():
    assert paginate(5, 10, 20, 3) == [range(0, 5)]
    assert paginate(9, 10, 20, 3) == [range(0, 9), range(9, 9)]  # the summary on a page of its own
    assert paginate(25, 10, 20, 3) == [range(0, 10), range(10, 25)]


def test_unknown_tax_rate_is_refused():
    with pytest.raises(ValueError, match='the tax rate is 10, 8 or 0, not 5'):
        packing_slips([make_slip((SlipLine('X', 'x', 1, 100, 5),))])


def test_points_used_show_as_an_adjustment_and_leave_the_tax_as_it_was():
    slip = make_slip(total=make_slip().total - 500)  # 500 points paid part of it
    text = page_text(packing_slips([slip]))
    assert 'ポイント・値引き等 -¥500' in text
    assert '合計 (税込) ¥7,510' in text
    assert '10%対象 ¥4,230 内消費税 ¥384' in text


def test_untaxed_line_is_totalled_apart():
    lines = (SlipLine('CUP-001', '湯呑み', 1, 3300, 10), SlipLine('STAMP', '切手', 2, 110, 0))
    slip = make_slip(lines, cod_fee=0)
    assert tax_by_rate(slip) == [RateTotal(10, 3900, 354), RateTotal(0, 220, 0)]
    assert '非課税 ¥220' in page_text(packing_slips([slip]))


def test_discount_line_lowers_its_rates_total():
    lines = (SlipLine('CUP-001', '湯呑み', 1, 3300, 10), SlipLine('COUPON', 'クーポン値引き', 1, -300, 10))
    slip = make_slip(lines, cod_fee=0)
    assert tax_by_rate(slip) == [RateTotal(10, 3600, 327)]
    assert 'COUPON クーポン値引き 1 -¥300 -¥300' in page_text(packing_slips([slip]))


def test_slip_prints_the_customers_wishes_under_the_table():
    slip = make_slip(requests=(WISHES,), delivery_date=WISHES.delivery_date, time_slot=WISHES.time_slot,
                     note='備考です')
    text = page_text(packing_slips([slip]))
    assert in_sequence(['ご指定・ご要望', *WISH_LINES, '備考', '備考です'], text)
    assert text.index('合計 (税込) ¥8,010') < text.index('ご指定・ご要望')


def test_slip_without_prices_has_no_amounts_anywhere():
    slip = make_slip(show_prices=False, requests=(WISHES,), delivery_date=WISHES.delivery_date,
                     time_slot=WISHES.time_slot)
    text = page_text(packing_slips([slip]))
    assert '納品書 (金額なし)' in text.splitlines()
    assert 'SKU 商品名 数量' in text
    assert 'TEA-001 煎茶 100g 2' in text.splitlines()  # no price, no amount, no ※ after the quantity
    for gone in ('¥', '円', '単価', '小計', '送料', '代引手数料', '合計', '消費税', '※'):
        assert gone not in text
    assert in_sequence(WISH_LINES, text)
    # the buyer's own: addressed to the buyer, as the slip with prices
    assert '髙橋 太郎 様' in text.splitlines()
    assert 'このたびはお買い上げいただき、誠にありがとうございます。下記のとおり納品いたします。' in text


def test_slip_without_prices_for_a_present_is_addressed_to_the_recipient():
    text = page_text(packing_slips([make_slip(show_prices=False, gift_from='髙橋 太郎')]))
    assert text.splitlines()[1] == '髙橋 花子 様'  # under the title: the recipient
    assert '髙橋 太郎 様よりのお届け物です。下記の品をお届けいたします。' in text
    assert 'お買い上げ' not in text


def test_long_slip_without_prices_says_so_on_every_page():
    lines = tuple(SlipLine(f'SKU-{i:03}', f'商品{i}', 1, 100, 10) for i in range(60))
    pdf = packing_slips([make_slip(lines, show_prices=False)])
    assert pages(pdf) == 2
    assert '納品書 (金額なし) (続き)' in page_text(pdf, 1)
    assert all('¥' not in page_text(pdf, i) for i in range(2))


def test_slip_cuts_a_very_long_comment():
    comment = '\n'.join(f'連絡事項{i}' for i in range(40))
    text = page_text(packing_slips([make_slip(requests=(CustomerRequest('K1', comment=comment),))]))
    assert '【コメント】連絡事項0' in text
    assert f'連絡事項{MAX_REQUEST_LINES - 1}…' in text
    assert f'連絡事項{MAX_REQUEST_LINES}' not in text
    assert '合計 (税込) ¥8,010' in text  # the summary still on the page


# -- pick list ------------------------------------------------------------------------------------------

def test_pick_list_pages_carry_the_batch_barcode_and_page_numbers():
    pick = make_pick()
    pdf = pick_list(pick)
    count = pages(pdf)
    assert count == 3  # the 26 SKUs' totals fill page 1, the 12 orders pages 2 and 3
    for index in range(count):
        text = page_text(pdf, index)
        assert f'{index + 1}/{count}' in text.splitlines()
        assert 'バッチ B20260115-001' in text
        assert '作成 2026-01-15 09:30' in text
    assert scan(pdf, 0, formats=(CODE128,)) == [('Code128', 'B20260115-001')]


def test_total_picking_table_keeps_the_walking_order():
    pick = make_pick()
    pick = dataclasses.replace(pick, totals=tuple(reversed(pick.totals)))  # whatever order is given is kept
    pdf = pick_list(pick)
    text = page_text(pdf, 0) + page_text(pdf, 1)
    positions = [text.index(f'{item.location} {item.sku} {item.jan} {item.name} {item.quantity}')
                 for item in pick.totals]
    assert positions == sorted(positions)
    assert f'注文 12件 明細 36行 品目 {len(pick.totals)} 合計 72点' in page_text(pdf, 0)


def test_sorting_blocks_scan_as_each_orders_number():
    pick = make_pick()
    pdf = pick_list(pick)
    scanned = []
    for index in range(len(plan_pages(pick))):
        found = scan(pdf, index, formats=(CODE128,))
        assert found[0] == ('Code128', 'B20260115-001')  # the header, on every page
        scanned += [text for _, text in found[1:]]
    assert scanned == [order.order_number for order in pick.orders]  # every block, top to bottom
    text = page_text(pdf, 1)
    first = pick.orders[0]
    assert f'1. {first.order_number}' in text
    assert f'{first.ship_name} 様 3品目 / {sum(i.quantity for i in first.items)}点' in text
    item = first.items[0]
    assert f'{item.location} {item.sku} {item.name} ×{item.quantity}' in text


def test_order_taller_than_a_page_continues_under_a_repeated_header():
    items = tuple(PickItem(f'B-{i:03}', f'SKU-{i:03}', '煎茶', jan(i), 1) for i in range(60))
    pick = PickList('B1', datetime.datetime(2026, 1, 15, 9, 30), items, (PickOrder('K00000001', '髙橋', items),))
    planned = plan_pages(pick)
    heads = [(number, p.continued) for number, page in enumerate(planned) for p in page if p.kind == 'order-head']
    assert heads == [(2, False), (3, True)]
    pdf = pick_list(pick)
    assert 'K00000001 (続き)' in page_text(pdf, 3)
    assert ('Code128', 'K00000001') in scan(pdf, 3, formats=(CODE128,))


def test_sorting_block_shows_the_wishes_between_the_order_and_its_items():
    pick = make_pick(orders=3)
    wished = dataclasses.replace(pick.orders[1], delivery_date=WISHES.delivery_date, time_slot=WISHES.time_slot,
                                 requests=(dataclasses.replace(WISHES, order_number=pick.orders[1].order_number),))
    pick = dataclasses.replace(pick, orders=(pick.orders[0], wished, pick.orders[2]))
    text = page_text(pick_list(pick), 1)
    first_item = wished.items[0]
    assert in_sequence([f'{wished.ship_name} 様 3品目 / {sum(i.quantity for i in wished.items)}点', *WISH_LINES,
                        f'{first_item.location} {first_item.sku} {first_item.name} ×{first_item.quantity}'], text)
    assert text.count('【') == 4  # the other orders asked for nothing


def test_wishes_of_a_combined_parcel_carry_each_orders_number():
    carried = CustomerRequest('K00000009', gift_wrap='包装紙', comment='午前中は不在です。',
                              delivery_date=datetime.date(2026, 1, 18))
    same_day = CustomerRequest('K00000010', comment='よろしく', delivery_date=WISHES.delivery_date,
                               time_slot=WISHES.time_slot)
    assert request_entries(WISHES.delivery_date, WISHES.time_slot, (WISHES, carried, same_day)) == [
        '【お届け指定】2026年1月17日(土) 時間帯 14-16時',
        '【K00000001 ギフト包装】ギフト包装', '【K00000001 のし】御出産祝 山田太郎',
        '【K00000001 コメント】チャイムは鳴らさないでください。\n不在時は宅配ボックスへ。',
        '【K00000009 お届け指定】2026年1月18日(日)',  # another wish than the parcel's: said apart
        '【K00000009 ギフト包装】包装紙', '【K00000009 コメント】午前中は不在です。',
        '【K00000010 コメント】よろしく',
    ]
    assert request_entries(None, '', (CustomerRequest('K1', comment='  '), CustomerRequest('K2'))) == []
    assert request_entries(None, '午前中', ()) == ['【お届け指定】時間帯 午前中']


def test_a_long_comment_is_printed_whole_and_its_block_continues():
    comment = '\n'.join(f'連絡事項{i}' for i in range(70))
    order = PickOrder('K00000001', '髙橋', (PickItem('A-01', 'SKU-1', '煎茶', jan(1), 1),),
                      requests=(CustomerRequest('K00000001', comment=comment),))
    pick = PickList('B1', datetime.datetime(2026, 1, 15, 9, 30), order.items, (order,))
    pdf = pick_list(pick)
    lines = [line for i in range(pages(pdf)) for line in page_text(pdf, i).splitlines()]
    assert lines.count('【コメント】連絡事項0') == 1
    assert all(lines.count(f'連絡事項{i}') == 1 for i in range(1, 70))
    assert not any('…' in line for line in lines)
    assert '1. K00000001 (続き)' in lines
    assert 'A-01 SKU-1 煎茶 ×1' in lines


def test_pick_list_of_1000_orders_builds():
    pick = make_pick(orders=1000, skus=400)
    pdf = pick_list(pick)
    heads = [p for page in plan_pages(pick) for p in page if p.kind == 'order-head' and not p.continued]
    assert len(heads) == 1000
    assert '注文 1,000件 明細 3,000行' in page_text(pdf, 0)
    assert '1000. K00001000' in page_text(pdf, pages(pdf) - 1)


# -- JAN sheets -----------------------------------------------------------------------------------------

@pytest.mark.parametrize(('grid', 'per_page'), [('3x8', 24), ('4x10', 40)])
def test_jan_sheet_barcodes_scan(grid, per_page):
    labels = [JanLabel(jan(n), f'SKU-{n:04}', ITEM_NAMES[n], 1280 + n) for n in range(5)]
    copies = per_page // 5 + 1  # the last product's labels spill onto a second page
    pdf = jan_sheet(labels, copies=copies, grid=grid)
    assert pages(pdf) == 2
    found = scan(pdf, 0, formats=(EAN13,), dpi=300)
    assert len(found) == per_page
    assert {text for _, text in found} == {label.jan for label in labels}
    text = page_text(pdf, 0)
    assert '有機緑茶 ティーバッグ 20袋入り' in text
    assert 'SKU-0000 ¥1,280' in text
    assert scan(pdf, 1, formats=(EAN13,), dpi=300) == [('EAN13', jan(4))] * (5 * copies - per_page)


def test_jan_8_scans():
    pdf = jan_sheet([JanLabel('49123456', 'SKU-8', '小袋', 100)])
    assert scan(pdf, formats=(EAN8,), dpi=300) == [('EAN8', '49123456')]


def test_invalid_jan_is_refused():
    with pytest.raises(ValueError, match='SKU-1'):
        jan_sheet([JanLabel('4569951116170', 'SKU-1', '煎茶', 100)])
    with pytest.raises(ValueError, match='copies'):
        jan_sheet([JanLabel(jan(1), 'SKU-1', '煎茶', 100)], copies=0)


# -- every document -------------------------------------------------------------------------------------

DOCUMENTS = {
    'shipping 4x6': lambda: shipping_labels([make_label(n, cod_amount=n * 1000) for n in range(3)]),
    'shipping a4-2up': lambda: shipping_labels([make_label(n) for n in range(3)], layout='a4-2up'),
    'packing slip a4': lambda: packing_slips([make_slip(), make_slip(note='備考です')]),
    'packing slip a5': lambda: packing_slips([make_slip()], size='a5'),
    'packing slip without prices': lambda: packing_slips([make_slip(show_prices=False, gift_from='髙橋 太郎',
                                                                    requests=(WISHES,))]),
    'pick list': lambda: pick_list(make_pick()),
    'pick list with wishes': lambda: pick_list(dataclasses.replace(make_pick(orders=2), orders=tuple(
        dataclasses.replace(order, requests=(WISHES,)) for order in make_pick(orders=2).orders))),
    'jan sheet': lambda: jan_sheet([JanLabel(jan(n), f'SKU-{n}', ITEM_NAMES[n], 500) for n in range(3)], copies=2),
}


@pytest.mark.parametrize('document', DOCUMENTS)
def test_same_input_gives_the_same_bytes(document):
    first, second = DOCUMENTS[document](), DOCUMENTS[document]()
    assert first.startswith(b'%PDF-')
    assert first == second


@pytest.mark.parametrize('document', DOCUMENTS)
def test_font_is_embedded(document):
    pdf = DOCUMENTS[document]()
    assert b'/FontFile2' in pdf  # an embedded TrueType subset, so the PDF prints the same anywhere


# -- helpers --------------------------------------------------------------------------------------------

def test_wrap_breaks_anywhere_but_never_starts_a_line_with_a_closing_mark():
    widths = _char_widths(fonts.japanese_font())
    lines = wrap('東京都千代田区千代田一丁目。', 10, 10 * 13, widths)  # room for 13 full-width characters
    assert lines == ['東京都千代田区千代田一丁目。']
    lines = wrap('あいうえお、かきくけこ', 10, 10 * 5, widths)
    assert lines == ['あいうえお、', 'かきくけこ']
    assert wrap('一行目\n二行目', 10, 100, widths) == ['一行目', '二行目']


def test_clip_cuts_with_an_ellipsis():
    widths = _char_widths(fonts.japanese_font())
    assert clip('あいうえお', 10, 100, widths) == 'あいうえお'
    assert clip('あいうえおかきくけこ', 10, 50, widths) == 'あいうえ…'


def test_font_lookup_order(tmp_path):
    font = tmp_path / 'gothic.ttf'
    font.write_bytes(b'')
    other = tmp_path / 'other.ttf'
    other.write_bytes(b'')
    assert fonts.find_font_file({'KURA_CJK_FONT': str(font)}, (str(other),)) == font
    assert fonts.find_font_file({}, (str(tmp_path / 'missing.ttf'), str(other))) == other
    with pytest.raises(FontNotFound, match='KURA_CJK_FONT=.*missing.ttf is not a file'):
        fonts.find_font_file({'KURA_CJK_FONT': str(tmp_path / 'missing.ttf')}, (str(other),))
    with pytest.raises(FontNotFound, match='apt-get install fonts-ipaexfont-gothic'):
        fonts.find_font_file({}, (str(tmp_path / 'missing.ttf'),))


# -- addressing ------------------------------------------------------------------------------------------

COMPANY = dataclasses.replace(SHIP_TO, name='株式会社 山田商店 御中')


def test_a_company_recipient_gets_no_sama_after_onchu_on_the_label_and_the_slip():
    label = page_text(shipping_labels([make_label(ship_to=COMPANY)]))
    assert '株式会社 山田商店 御中' in label.splitlines()
    company = page_text(shipping_labels([make_label(ship_to=dataclasses.replace(SHIP_TO, name='山田商店株式会社'))]))
    assert '山田商店株式会社 御中' in company.splitlines()
    slip = page_text(packing_slips([make_slip(ship_to=COMPANY, buyer_name='山田商店株式会社')]))
    assert '山田商店株式会社 御中' in slip.splitlines()   # the buyer, under the title
    assert '株式会社 山田商店 御中' in slip.splitlines()  # where the parcel goes
    assert '御中 様' not in label + slip


def test_a_company_on_the_pick_list_and_as_the_giver_of_a_present():
    pick = make_pick(orders=1)
    pick = dataclasses.replace(pick, orders=(dataclasses.replace(pick.orders[0], ship_name='山田商店 御中'),))
    text = page_text(pick_list(pick), 1)
    assert '山田商店 御中 3品目' in text
    slip = page_text(packing_slips([make_slip(show_prices=False, gift_from='株式会社蔵')]))
    assert '株式会社蔵よりのお届け物です。下記の品をお届けいたします。' in slip


def test_a_romaji_address_keeps_a_space_between_city_and_street():
    romaji = dataclasses.replace(SHIP_TO, city='Chiyoda-ku', address1='Chiyoda 1-1')
    text = page_text(shipping_labels([make_label(ship_to=romaji)]))
    assert '東京都 Chiyoda-ku Chiyoda 1-1' in text.splitlines()
