"""The floor in the reader's language: carrier-file warnings, tracking-file problems, an order's history, batches.

Each screen is read by a Japanese user (the shop's default) and by an English one: the Japanese page
has the translated text and neither English sources nor raw codes, the English page the English text.
"""
import html
import io
import re

import sqlalchemy as sa

from app.extensions import db
from app.fulfilment import services
from app.fulfilment.models import Shipment
from tests.factories import stored_order


def text(response) -> str:
    """The page as a reader sees it: tags removed, entities decoded."""
    return html.unescape(re.sub(r'<[^>]+>', '', response.text))


def as_japanese_then_english(client, login, read):
    """`read()` as a Japanese manager, then as an English one (a new login each): both see the floor and orders."""
    login('manager', locale='ja')
    japanese = read()
    client.post('/logout')
    login('manager', locale='en')
    return japanese, read()


def test_carrier_file_warnings_are_in_the_readers_language(client, login, floor):
    batch = services.create_pick_batch(actor=None)
    bad = stored_order('F-2')
    bad.ship_phone = '123'
    db.session.commit()
    number, first = bad.number, stored_order('F-1').number
    japanese, english = as_japanese_then_english(
        client, login, lambda: text(client.get(f'/pick/{batch.id}/carrier/yamato')))

    assert f'{number}：お届け先電話番号「123」は10〜12桁の数字で入力してください' in japanese
    assert (f'{first}：ご請求先顧客コード「」が10〜12桁の数字ではありません。B2クラウドで取り込めないため、'
            '出荷設定でヤマト運輸のご請求先顧客コードを設定してください') in japanese
    assert (f'{first}：品名１：「髙」（U+9AD9）は B2クラウドで使えない JIS第1・第2水準外の文字のため「高」に'
            '置き換えました') in japanese
    for english_text in ('must be 10 to 12 digits', 'is not 10-12 digits', 'JIS X 0208', 'written as', 'ship_to_phone'):
        assert english_text not in japanese

    assert f'{number}: the ship-to phone number "123" must be 10 to 12 digits' in english
    assert f'{first}: ご請求先顧客コード "" is not 10-12 digits: B2 Cloud will refuse the row' in english
    assert (f'{first}: 品名１: "髙" (U+9AD9) is outside JIS X 0208 (levels 1-2), which B2 Cloud requires; '
            'written as "高"') in english


def test_a_cut_address_names_the_room_it_had_in_the_readers_language(client, login, floor):
    order = stored_order('F-2')
    order.carrier, order.ship_address1 = 'sagawa', 'あ' * 60
    db.session.commit()
    batch = services.create_pick_batch(actor=None)
    db.session.commit()
    japanese, english = as_japanese_then_english(
        client, login, lambda: text(client.get(f'/pick/{batch.id}/carrier/sagawa')))
    assert 'お届け先住所が32バイト（全角16文字）×3行を超えるため切り詰めました：「' in japanese
    assert 'お届け先住所 is longer than 3 lines of 32 bytes (16 full-width characters) and was cut: "' in english


def test_tracking_file_problems_and_notes_are_in_the_readers_language(client, login, floor):
    data = ',405548424886\r\nK09999999,405548424886\r\n'.encode('cp932')

    def upload():
        return text(client.post('/shipping/tracking', data={'carrier': 'yamato', 'file': (io.BytesIO(data), 'b2.csv')},
                                content_type='multipart/form-data'))

    japanese, english = as_japanese_then_english(client, login, upload)
    assert '注文番号がありません：Kura から出力したデータで発行された送り状ではありません' in japanese
    assert '該当する受注がありません' in japanese
    assert 'no such order' not in japanese and 'Kura export' not in japanese
    assert 'no order number: the label was not made from a Kura export' in english
    assert 'no such order' in english


def test_the_order_history_shows_every_event_in_the_readers_language(client, login, floor):
    services.create_pick_batch(actor=None)
    db.session.commit()
    packer, manager = floor['packer'], floor['manager']
    order = stored_order('F-3')
    line = order.lines[0].name
    session = services.open_packing(order.number, station='梱包1', actor=packer).session
    services.override(session, order.lines[0].id, supervisor=manager, reason='JANラベル破損', actor=packer)
    db.session.commit()
    shipment = db.session.scalar(sa.select(Shipment))
    tracking = shipment.tracking_number
    login('packer', locale='ja')
    for _ in range(2):   # the second print is a reprint, and is logged
        assert client.get(f'/shipments/{shipment.id}/label.pdf').status_code == 200
    client.post('/logout')
    japanese, english = as_japanese_then_english(client, login, lambda: text(client.get(f'/orders/{order.id}')))

    # the order was written allocated by the import: from no status, not from a confirmed it never held
    assert 'ステータス：— → 引当済 — 引当処理による' in japanese
    assert f'上長承認で検品数に計上 — {line}: JANラベル破損' in japanese
    assert '梱包1 で上長承認により検品数に計上 — JANラベル破損' in japanese
    assert f'送り状を再印刷 — {tracking} #2' in japanese
    for raw in ('packing.override', 'shipment.label_reprinted', '— allocation', 'OVERRIDE by', 'Scan at'):
        assert raw not in japanese

    assert 'Status: — → Allocated — by the allocation run' in english
    assert f'Unit counted by supervisor override — {line}: JANラベル破損' in english
    assert f'Shipping label reprinted — {tracking} #2' in english
    assert 'packing.override' not in english and 'shipment.label_reprinted' not in english


def test_a_carrier_change_reads_as_carrier_names(client, login, floor):
    order = stored_order('F-2')
    login('clerk', locale='ja')
    client.post(f'/orders/{order.id}/actions', data={'action': 'carrier', 'carrier': 'sagawa'})
    page = text(client.get(f'/orders/{order.id}'))
    assert '配送業者：既定の配送業者 → 佐川急便' in page
    assert 'order.carrier' not in page


def test_pick_batches_list_their_filters_in_words(client, login, floor):
    services.create_pick_batch(carrier='yamato', single_item=True, actor=None)
    db.session.commit()
    japanese, english = as_japanese_then_english(client, login, lambda: text(client.get('/pick/')))
    assert '配送業者：ヤマト運輸 · 単品の受注のみ' in japanese
    assert 'Carrier: Yamato Transport · Single-item orders only' in english
    assert "'carrier'" not in japanese and "'single_item'" not in english
