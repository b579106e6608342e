"""What the customer asked for reaches the floor on paper: the pick list, the packing slip, the shipping label.

Orders come in as a shop imports them (Kura CSV), a clerk reads their comments (the hold is
released), they are picked in a real batch and packed by scan; the real PDFs are then read back
as text (pypdfium2), as the packer reads them.
"""
import re

import pypdfium2 as pdfium
import pytest

from app.extensions import db
from app.fulfilment import documents, services
from app.orders.services import combine, release_holds
from tests.factories import kura_orders, stored_order


#: what the sample Kura row fills in unless told otherwise, taken out: an order that asks for nothing
NOTHING_ASKED = {'gift_wrap': '', 'noshi': '', 'comment': '', 'delivery_date': '', 'delivery_time_slot': ''}
#: a second address, so that these orders are not the floor fixture's parcels
ELSEWHERE = {'ship_postal_code': '1500001', 'ship_prefecture': '東京都', 'ship_city': '渋谷区',
             'ship_address1': '神宮前1-1', 'ship_address2': ''}


def import_orders(*orders):
    """Import orders that ask for nothing unless they say so; a clerk then reads every comment (its hold goes)."""
    kura_orders(*({**NOTHING_ASKED, **ELSEWHERE, **order} for order in orders))
    for order in orders:
        release_holds(stored_order(order['order_id']), 'customer_comment', actor=None, note='確認済み')
    db.session.commit()


def pdf_text(pdf: bytes) -> str:
    """Every page's text, each line's runs of spaces made one (extraction does not keep them)."""
    lines = []
    for page in pdfium.PdfDocument(pdf):
        lines += [' '.join(line.split()) for line in page.get_textpage().get_text_range().splitlines()]
    return '\n'.join(lines)


def sorting_blocks(pdf: bytes) -> dict[str, str]:
    """The pick list's sorting blocks by order number: the text from a block's heading ('1. K00000001') to the next."""
    blocks, current = {}, None
    for line in pdf_text(pdf).splitlines():
        heading = re.fullmatch(r'\d+\. (K\d{8})( \(続き\))?', line)
        if heading:
            current = heading[1]
            blocks.setdefault(current, '')
        elif current:
            blocks[current] += line + '\n'
    return blocks


def slip_text(client, order, query='') -> str:
    response = client.get(f'/orders/{order.id}/slip.pdf{query}')
    assert response.status_code == 200
    assert response.mimetype == 'application/pdf'
    return pdf_text(response.data)


def pack(order, codes):
    """Scan the parcel of `order` at a station, unit by unit; its shipment."""
    session = services.open_packing(order.number, station='梱包1', actor=None).session
    outcome = None
    for code in codes:
        outcome = services.scan(session, code, actor=None)
        assert outcome.ok, outcome.message
    db.session.commit()
    assert outcome.shipment is not None
    return outcome.shipment


# ---------------------------------------------------------------------------------------------- pick list


def test_the_pick_list_shows_each_parcels_wishes_in_its_own_block(floor):
    import_orders({'order_id': 'G-1', 'lines': [('T-1', 1)], 'ship_name': '贈答 先子', 'gift_wrap': 'リボン付き包装',
                   'noshi': '御出産祝 山田太郎', 'comment': 'チャイムは鳴らさないでください。',
                   'delivery_date': '2025-10-20', 'delivery_time_slot': '19-21時'},
                  {'order_id': 'P-1', 'lines': [('W-1', 1)], 'ship_address1': '神宮前2-2'})
    batch = services.create_pick_batch(actor=None)
    db.session.commit()

    blocks = sorting_blocks(documents.pick_list_pdf(batch))

    gift = blocks[stored_order('G-1').number]
    wishes = ['【お届け指定】2025年10月20日(月) 時間帯 19-21時', '【ギフト包装】リボン付き包装',
              '【のし】御出産祝 山田太郎', '【コメント】チャイムは鳴らさないでください。']
    assert [line for line in gift.splitlines() if line.startswith('【')] == wishes
    assert gift.index(wishes[-1]) < gift.index('T-1')  # read before the first unit goes in the box
    plain = blocks[stored_order('P-1').number]
    assert 'W-1' in plain
    assert '【' not in plain  # nothing asked, nothing printed


def test_a_combined_parcel_shows_every_orders_wishes_marked_with_its_number(client, login, floor):
    same_person = {'ship_name': '同梱 花子', 'ship_address1': '神宮前3-3'}
    import_orders({'order_id': 'C-1', 'ordered_at': '2025-10-05T10:00:00', 'lines': [('T-1', 1)], **same_person,
                   'noshi': '御祝 佐藤', 'comment': '玄関前に置いてください。',
                   'delivery_date': '2025-10-20', 'delivery_time_slot': '19-21時'},
                  {'order_id': 'C-2', 'ordered_at': '2025-10-06T10:00:00', 'lines': [('W-1', 1)], **same_person,
                   'gift_wrap': '包装紙', 'comment': '午前中は不在です。', 'delivery_date': '2025-10-22'})
    first, second = stored_order('C-1'), stored_order('C-2')
    combine([first, second], actor=None)
    batch = services.create_pick_batch(actor=None)
    db.session.commit()
    wishes = ['【お届け指定】2025年10月20日(月) 時間帯 19-21時',   # the parcel's: the one on its label
              f'【{first.number} のし】御祝 佐藤', f'【{first.number} コメント】玄関前に置いてください。',
              f'【{second.number} お届け指定】2025年10月22日(水)',  # the carried order wished otherwise
              f'【{second.number} ギフト包装】包装紙', f'【{second.number} コメント】午前中は不在です。']

    blocks = sorting_blocks(documents.pick_list_pdf(batch))
    assert second.number not in blocks  # it travels in the first one's parcel
    assert [line for line in blocks[first.number].splitlines() if line.startswith('【')] == wishes

    login('packer')
    slip = slip_text(client, first)
    assert [line for line in slip.splitlines() if line.startswith('【')] == wishes


def test_a_sku_in_two_combined_orders_is_one_line_with_the_summed_quantity(client, login, floor):
    same_person = {'ship_address1': '神宮前3-3'}  # the buyer's own parcel: a slip with prices
    import_orders({'order_id': 'C-1', 'ordered_at': '2025-10-05T10:00:00', 'lines': [('T-1', 1), ('W-1', 1)],
                   **same_person},
                  {'order_id': 'C-2', 'ordered_at': '2025-10-06T10:00:00', 'lines': [('T-1', 2)], **same_person})
    first = combine([stored_order('C-1'), stored_order('C-2')], actor=None)
    batch = services.create_pick_batch(actor=None)
    db.session.commit()

    block = sorting_blocks(documents.pick_list_pdf(batch))[first.number]
    assert [line for line in block.splitlines() if ' T-1 ' in line] == ['A-01-01-1 T-1 髙橋園の玄米茶 ×3']

    login('packer')
    slip = slip_text(client, first)
    assert [line for line in slip.splitlines() if line.startswith('T-1 ')] == ['T-1 髙﨑の緑茶 ① 3 ¥1,080 ¥3,240 ※']
    assert [line for line in slip.splitlines() if line.startswith('W-1 ')] == ['W-1 髙﨑の緑茶 ① 1 ¥1,080 ¥1,080 ※']

    shipment = pack(first, ['4569951116179'] * 3 + ['4901234567894'])
    label = pdf_text(documents.shipping_labels_pdf([shipment]))
    assert '品名 (計4点)' in label
    assert [line for line in label.splitlines() if line.startswith('髙﨑の緑茶 ①')] == ['髙﨑の緑茶 ① ×3',
                                                                                       '髙﨑の緑茶 ① ×1']


# ---------------------------------------------------------------------------------------------- price-free slip


AMOUNTS = re.compile(r'¥|円|合計|小計|送料|手数料|消費税|単価')


@pytest.mark.parametrize(('changes', 'present'), [
    ({}, False),
    ({'gift_wrap': 'ギフト包装'}, True),
    ({'noshi': '御歳暮 山田'}, True),
    ({'ship_name': '贈答 先子'}, True),
    ({'buyer_name': '髙﨑\u3000①子'}, False),  # the same name with a full-width space
    ({'buyer_name': '髙﨑①子'}, False),  # ... or none
    ({'buyer_name': ''}, False),  # no buyer name: the buyer's own parcel
], ids=['plain', 'gift wrap', 'noshi', 'other recipient', 'full-width space', 'no space', 'no buyer name'])
def test_a_present_gets_the_slip_without_prices(client, login, floor, changes, present):
    import_orders({'order_id': 'S-1', 'lines': [('T-1', 2)], 'ship_name': '髙﨑 ①子', **changes})
    order = stored_order('S-1')
    assert documents.slip_without_prices(order, services.parcel_orders(order)) is present

    login('packer')
    text = slip_text(client, order)
    assert 'T-1 髙﨑の緑茶 ① 2' in text
    if present:
        assert '納品書 (金額なし)' in text
        assert not AMOUNTS.search(text), text
    else:
        assert '納品書 (金額なし)' not in text
        for expected in ('T-1 髙﨑の緑茶 ① 2 ¥1,080 ¥2,160 ※', '送料 ¥550', '合計 (税込) ¥3,040'):
            assert expected in text


def test_a_present_for_someone_else_is_addressed_to_them_and_says_from_whom(client, login, floor):
    import_orders({'order_id': 'S-1', 'lines': [('T-1', 1)], 'buyer_name': '贈り主 太郎', 'ship_name': '贈答 先子'})
    login('packer')
    text = slip_text(client, stored_order('S-1'))
    assert text.splitlines().count('贈答 先子 様') == 2  # the addressee, and under お届け先
    assert '贈り主 太郎 様よりのお届け物です。下記の品をお届けいたします。' in text
    assert 'お買い上げ' not in text


def test_one_present_in_a_combined_parcel_leaves_the_prices_off_the_whole_slip(client, login, floor):
    same_person = {'ship_name': '同梱 花子', 'ship_address1': '神宮前3-3'}
    import_orders({'order_id': 'C-1', 'ordered_at': '2025-10-05T10:00:00', 'lines': [('T-1', 1)], **same_person},
                  {'order_id': 'C-2', 'ordered_at': '2025-10-06T10:00:00', 'lines': [('W-1', 1)], **same_person,
                   'noshi': '御祝'})
    first = combine([stored_order('C-1'), stored_order('C-2')], actor=None)
    db.session.commit()
    assert documents.slip_without_prices(first, services.parcel_orders(first))
    login('packer')
    text = slip_text(client, first)
    assert '納品書 (金額なし)' in text
    assert not AMOUNTS.search(text), text


def test_prices_on_or_off_on_demand(client, login, floor):
    import_orders({'order_id': 'S-1', 'lines': [('T-1', 1)], 'ship_name': '髙﨑 ①子', 'noshi': '御祝'},
                  {'order_id': 'S-2', 'lines': [('T-1', 1)], 'ship_name': '髙﨑 ①子', 'ship_address1': '神宮前4-4'})
    gift, plain = stored_order('S-1'), stored_order('S-2')
    login('packer')

    forced = slip_text(client, gift, '?prices=with')
    assert '納品書 (金額なし)' not in forced
    assert '合計 (税込) ¥1,960' in forced
    assert '【のし】御祝' in forced  # the wishes are on either slip
    assert not AMOUNTS.search(slip_text(client, plain, '?prices=without&size=a5'))
    assert '合計 (税込)' in slip_text(client, plain, '?prices=auto')
    assert client.get(f'/orders/{plain.id}/slip.pdf?prices=bogus').status_code == 400
    assert client.get(f'/orders/{plain.id}/slip.pdf?prices=').status_code == 400
