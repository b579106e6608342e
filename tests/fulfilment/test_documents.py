"""What the customer asked for reaches the floor on paper: the pick list, the packing slip, the shipping label.

Orders come in as a shop imports them (Kura CSV), a clerk reads their comments (the hold is
released), they are picked in a real batch and packed by scan; the real PDFs are then read back
as text (pypdfium2), as the packer reads them.
"""
import re

import pypdfium2 as pdfium

from app.extensions import db
from app.fulfilment import documents, services
from app.orders.services import release_holds
from tests.fulfilment.conftest import by_external
from tests.orders.test_triage import kura_orders


#: what the sample Kura row fills in unless told otherwise, taken out: an order that asks for nothing
NOTHING_ASKED = {'gift_wrap': '', 'noshi': '', 'comment': '', 'delivery_date': '', 'delivery_time_slot': ''}
#: a second address, so that these orders are not the floor fixture's parcels
ELSEWHERE = {'ship_postal_code': '1500001', 'ship_prefecture': '東京都', 'ship_city': '渋谷区',
             'ship_address1': '神宮前1-1', 'ship_address2': ''}


def import_orders(*orders):
    """Import orders that ask for nothing unless they say so; a clerk then reads every comment (its hold goes)."""
    kura_orders(*({**NOTHING_ASKED, **ELSEWHERE, **order} for order in orders))
    for order in orders:
        release_holds(by_external(order['order_id']), 'customer_comment', actor=None, note='確認済み')
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


# ---------------------------------------------------------------------------------------------- pick list


def test_the_pick_list_shows_each_parcels_wishes_in_its_own_block(floor):
    import_orders({'order_id': 'G-1', 'lines': [('T-1', 1)], 'ship_name': '贈答 先子', 'gift_wrap': 'リボン付き包装',
                   'noshi': '御出産祝 山田太郎', 'comment': 'チャイムは鳴らさないでください。',
                   'delivery_date': '2025-10-20', 'delivery_time_slot': '19-21時'},
                  {'order_id': 'P-1', 'lines': [('W-1', 1)], 'ship_address1': '神宮前2-2'})
    batch = services.create_pick_batch(actor=None)
    db.session.commit()

    blocks = sorting_blocks(documents.pick_list_pdf(batch))

    gift = blocks[by_external('G-1').number]
    wishes = ['【お届け指定】2025年10月20日(月) 時間帯 19-21時', '【ギフト包装】リボン付き包装',
              '【のし】御出産祝 山田太郎', '【コメント】チャイムは鳴らさないでください。']
    assert [line for line in gift.splitlines() if line.startswith('【')] == wishes
    assert gift.index(wishes[-1]) < gift.index('T-1')  # read before the first unit goes in the box
    plain = blocks[by_external('P-1').number]
    assert 'W-1' in plain
    assert '【' not in plain  # nothing asked, nothing printed
