"""The order list's search finds an order however a clerk types its name, kana, address, phone or number."""
import pytest

from app.extensions import db
from app.orders import services
from app.orders.search_keys import order_keys, order_number_key, search_key
from app.privacy.services import redact_orders
from tests.factories import kura_orders, plain_orders, stored_order


def found(client, q: str) -> str:
    """The order list's table for a search, as the page's search box asks for it."""
    return client.get('/orders/', query_string={'q': q}, headers={'HX-Request': 'true'}).text


@pytest.fixture
def customers(make_product):
    make_product('T-1', jan='')
    plain_orders(
        {'order_id': '338888-20261207-0000012345', 'lines': [('T-1', 1)],
         'buyer_name': '髙橋 一郎', 'buyer_kana': 'ﾀｶﾊｼ ｲﾁﾛｳ',
         'ship_name': '髙橋 一郎', 'ship_kana': 'タカハシ イチロウ',
         'buyer_phone': '090-1234-5678', 'ship_phone': '09012345678', 'ship_postal_code': '150-0031',
         'ship_prefecture': '東京都', 'ship_city': '渋谷区', 'ship_address1': '桜丘町1-2',
         'ship_address2': '櫻ハイツ101'},
        {'order_id': '338888-20261207-0000067890', 'lines': [('T-1', 1)],
         'buyer_name': '渡邊 花子', 'buyer_kana': 'ワタナベ ハナコ',
         'ship_name': '齋藤 美咲', 'ship_kana': 'サイトウ ミサキ',
         'buyer_phone': '011-222-3333', 'ship_phone': '011-222-3333', 'ship_postal_code': '060-0001',
         'ship_prefecture': '北海道', 'ship_city': '札幌市中央区', 'ship_address1': '北一条西1-2-3',
         'ship_address2': '濱田ビル'},
        {'order_id': '503-3718261-3217429', 'lines': [('T-1', 1)],
         'buyer_name': 'Ken Takahashi', 'buyer_kana': '', 'ship_name': 'TAKAHASHI Ken', 'ship_kana': '',
         'buyer_phone': '03-5555-1234', 'ship_phone': '03-5555-1234', 'ship_postal_code': '100-0001',
         'ship_prefecture': '東京都', 'ship_city': '千代田区', 'ship_address1': '千代田1-1', 'ship_address2': ''},
    )


TAKAHASHI, WATANABE, KEN = '0000012345', '0000067890', '503-3718261-3217429'


@pytest.mark.parametrize(('q', 'expected'), [
    # width and kana: half-width, full-width katakana and hiragana are one
    ('ﾀｶﾊｼ', {TAKAHASHI}), ('タカハシ', {TAKAHASHI}), ('たかはし', {TAKAHASHI}), ('たかはし いちろう', {TAKAHASHI}),
    ('ｻｲﾄｳ', {WATANABE}),
    # latin in full width or lower case
    ('ＴＡＫＡＨＡＳＨＩ', {KEN}), ('takahashi', {KEN}), ('Ｋｅｎ', {KEN}),
    # 異体字: the variant and the common form find each other, with or without the space
    ('高橋', {TAKAHASHI}), ('髙橋一郎', {TAKAHASHI}), ('渡辺', {WATANABE}), ('渡邉', {WATANABE}),
    ('渡邊 花子', {WATANABE}), ('斎藤', {WATANABE}), ('斉藤', {WATANABE}), ('齊藤美咲', {WATANABE}),
    # an address from its prefecture or its city on, its variant kanji and widths as for names
    ('東京都渋谷区', {TAKAHASHI}), ('渋谷区桜丘町', {TAKAHASHI}), ('渋谷区櫻丘町１－２', {TAKAHASHI}),
    ('札幌市', {WATANABE}), ('北海道札幌市中央区北一条', {WATANABE}), ('東京都', {TAKAHASHI, KEN}),
    ('大阪府渋谷区', set()),
    # phones with or without hyphens, in full-width digits
    ('090-1234-5678', {TAKAHASHI}), ('09012345678', {TAKAHASHI}), ('０９０－１２３４－５６７８', {TAKAHASHI}),
    ('011-222-3333', {WATANABE}), ('0355551234', {KEN}),
    # a mall order number whole, or its last part as a customer reads it out, with or without the zeros
    ('12345', {TAKAHASHI}), ('0000067890', {WATANABE}), ('338888-20261207-0000067890', {WATANABE}),
    ('3217429', {KEN}), ('503-3718261-3217429', {KEN}),
    # nothing that is not there
    ('鈴木', set()), ('99999', set()), ('-', set()),
])
def test_the_order_list_finds_an_order_the_way_a_clerk_types_it(client, login, customers, q, expected):
    login('clerk')
    table = found(client, q)
    for order_id in (TAKAHASHI, WATANABE, KEN):
        assert (order_id in table) == (order_id in expected), (q, order_id)


def test_our_number_and_an_e_mail_still_find_an_order(client, login, customers):
    login('clerk')
    order = stored_order('503-3718261-3217429')
    assert KEN in found(client, order.number)
    assert KEN in found(client, order.number.lower())
    assert TAKAHASHI not in found(client, order.number)
    assert KEN in found(client, order.buyer_email)


def test_an_order_is_found_by_its_new_ship_to_after_an_edit_and_no_longer_by_the_old(client, login, customers):
    login('clerk')
    order = stored_order('338888-20261207-0000012345')
    client.post(f'/orders/{order.id}/ship-to', data={
        'ship_name': '濱田 次郎', 'ship_kana': 'ハマダ ジロウ', 'ship_postal_code': '100-0001',
        'ship_prefecture': '東京都', 'ship_city': '千代田区', 'ship_address1': '千代田1-1', 'ship_address2': '',
        'ship_phone': '080-9999-0000'})
    assert stored_order('338888-20261207-0000012345').ship_name == '濱田 次郎'
    for q in ('浜田', 'はまだ', '08099990000', '千代田区千代田1-1'):
        assert TAKAHASHI in found(client, q), q
    assert TAKAHASHI not in found(client, '渋谷区桜丘町')
    assert TAKAHASHI in found(client, 'たかはし')   # the buyer is still 髙橋


def test_both_parts_of_a_split_order_are_found_by_its_name(client, login, make_product, make_user):
    make_product('A', jan='')
    make_product('B', jan='')
    kura_orders({'order_id': 'SP-1', 'lines': [('A', 1), ('B', 1)],
                 'ship_name': '澤田 花子', 'ship_kana': 'サワダ ハナコ'})
    original = stored_order('SP-1')
    part = services.split(original, {original.lines[1].id: 1}, actor=make_user('clerk'))
    db.session.commit()
    login('clerk')
    for q in ('沢田', 'さわだ'):
        table = found(client, q)
        assert original.number in table and part.number in table, q


def test_a_redacted_order_is_not_found_by_the_erased_name_but_still_by_its_number(client, login, customers):
    login('clerk')
    redact_orders([stored_order('338888-20261207-0000012345').id], actor=None, why='test')
    db.session.commit()
    for q in ('たかはし', '090-1234-5678', '渋谷区桜丘町'):
        assert TAKAHASHI not in found(client, q), q
    assert TAKAHASHI in found(client, '12345')


def test_the_typed_text_and_the_stored_keys_are_made_alike():
    assert search_key('ﾀｶﾊｼ') == search_key('たかはし') == search_key('タカハシ') == 'タカハシ'
    assert search_key('ＴＡＫＡＨＡＳＨＩ') == search_key('takahashi') == 'TAKAHASHI'
    assert search_key('髙﨑 邊') == search_key('高崎辺') == search_key('高崎邉')
    assert search_key('齋藤') == search_key('斎藤') == search_key('斉藤')
    assert search_key('ﾊﾟｰﾄ') == 'パート'   # the prolonged sound mark is part of a word, not a hyphen
    assert search_key('０９０‐１２３４－５６７８') == '09012345678'
    keys = order_keys({'external_order_id': '338888-20261207-0000012345', 'buyer_name': '髙橋 一郎',
                       'buyer_kana': 'ﾀｶﾊｼ ｲﾁﾛｳ', 'ship_name': '', 'ship_kana': 'たかはし', 'ship_city': '渋谷区',
                       'ship_address1': '桜丘町１－２', 'ship_address2': '櫻ハイツ 101'})
    assert keys == {'buyer_name_key': '高橋一郎', 'buyer_kana_key': 'タカハシイチロウ', 'ship_name_key': '',
                    'ship_kana_key': 'タカハシ', 'address_key': '渋谷区桜丘町12桜ハイツ101', 'order_no_key': '12345'}
    assert order_number_key('A-0012') == '12' and order_number_key('#1001') == '1001'
    assert order_number_key('kura-store-10000001') == '10000001' and order_number_key('ABC') == ''
