"""The shop: a customer browses, fills a cart, checks out; the order arrives in the back office."""
import io
import re
import threading

import pytest
import sqlalchemy as sa
from PIL import Image

from app.extensions import db
from app.inventory.models import StockLevel
from app.orders.importing import import_order_files
from app.orders.models import Allocation, Order
from app.settings.services import ShopSettings, save_shop_settings
from app.storefront import services
from app.storefront.services import Checkout, OutOfStock, place_order, totals
from tests.conftest import count, run_together
from tests.factories import KURA_HEADER, kura_row, table


@pytest.fixture
def shop(make_product, stock):
    """A tea at the reduced rate and a cup at the standard rate, both for sale, and one not for sale."""
    tea = make_product('T-1', name='髙橋園の玄米茶', price=1080, tax_rate=8, jan='')
    cup = make_product('W-1', name='有田焼 湯呑み', price=2750, tax_rate=10, jan='')
    hidden = make_product('X-1', name='非公開の商品', price=500, jan='')
    for product in (tea, cup):
        product.published = True
    db.session.commit()
    stock(tea, 20)
    stock(cup, 3)
    stock(hidden, 5)
    return tea, cup, hidden


ADDRESS = {'name': '山田 花子', 'kana': 'ヤマダ ハナコ', 'email': 'hanako@example.jp', 'phone': '03-1234-5678',
           'postal_code': '100-0001', 'prefecture': '東京都', 'city': '千代田区', 'address1': '千代田1-1',
           'address2': '㈱蔵ビル ①号室', 'delivery_date': '', 'time_slot': '午前中', 'payment_method': 'cod',
           'comment': ''}


def buy(client, sku, quantity):
    return client.post(f'/shop/cart/{sku}', data={'quantity': str(quantity), 'add': '1'})


def test_the_catalogue_shows_what_is_for_sale_with_tax_included_prices(client, shop):
    page = client.get('/shop/')
    assert page.status_code == 200
    assert '<html lang="ja">' in page.text
    assert '髙橋園の玄米茶' in page.text and '有田焼 湯呑み' in page.text
    assert '非公開の商品' not in page.text
    assert '¥1,080<small>（税込）</small>' in page.text
    assert '残りわずか' in page.text   # 3 cups: only a few left
    found = client.get('/shop/?q=湯呑', headers={'HX-Request': 'true'}).text
    assert found.lstrip().startswith('<section id="products"')
    assert '有田焼 湯呑み' in found and '玄米茶' not in found


def test_a_product_page_says_in_stock_few_left_or_sold_out(client, shop, stock):
    tea, cup, hidden = shop
    assert '在庫あり' in client.get('/shop/products/T-1').text
    db.session.execute(sa.text('UPDATE stock_levels SET on_hand = 0 WHERE product_id = :p'), {'p': cup.id})
    db.session.commit()
    page = client.get('/shop/products/W-1').text
    assert '売り切れ' in page
    assert 'カートに入れる' not in page
    assert client.get('/shop/products/X-1').status_code == 404


def test_the_cart_adds_changes_removes_and_is_capped_by_stock(client, shop):
    buy(client, 'T-1', 2)
    buy(client, 'T-1', 1)
    page = client.get('/shop/cart').text
    assert 'value="3"' in page
    capped = client.post('/shop/cart/W-1', data={'quantity': '5', 'add': '1'}, follow_redirects=True).text
    assert '有田焼 湯呑み は 3 点までご購入いただけます' in capped or 'Only 3 of' in capped
    client.post('/shop/cart/T-1', data={'quantity': '0'})
    page = client.get('/shop/cart').text
    assert '髙橋園の玄米茶 をカートから削除しました。' in page
    assert 'href="/shop/products/T-1"' not in page


def test_tax_is_shown_per_rate_with_shipping_and_cod_at_ten_percent():
    settings = ShopSettings(shipping_fee=700, free_shipping_over=10_000, cod_fee=330)
    money = totals([(1080, 2, 8), (2750, 1, 10)], 'cod', settings)
    assert (money.items, money.shipping_fee, money.cod_fee, money.total) == (4910, 700, 330, 5940)
    assert money.tax_by_rate == {10: (2750 + 700 + 330, (2750 + 700 + 330) * 10 // 110), 8: (2160, 160)}
    free = totals([(2750, 4, 10)], 'bank_transfer', settings)
    assert (free.shipping_fee, free.cod_fee, free.total) == (0, 0, 11000)


def test_browse_cart_checkout_and_the_order_arrives_in_the_back_office(client, shop):
    tea, cup, _ = shop
    buy(client, 'T-1', 2)
    buy(client, 'W-1', 1)
    response = client.post('/shop/checkout', data=ADDRESS)
    assert response.headers['Location'] == '/shop/checkout/confirm'
    confirm = client.get('/shop/checkout/confirm').text
    assert '¥5,940' in confirm   # 2,160 + 2,750 + 700 shipping + 330 COD
    assert '8%' in confirm and '¥160' in confirm
    response = client.post('/shop/checkout/confirm')
    assert response.headers['Location'] == '/shop/thanks'
    thanks = client.get('/shop/thanks').text
    order = db.session.scalar(sa.select(Order))
    assert order.number in thanks
    assert order.channel == 'store'
    assert [(line.product_id, line.quantity, line.unit_price, line.tax_rate) for line in order.lines] == \
        [(tea.id, 2, 1080, 8), (cup.id, 1, 2750, 10)]
    assert (order.shipping_fee, order.cod_fee, order.total, order.payment_method) == (700, 330, 5940, 'cod')
    assert (order.ship_name, order.ship_postal_code, order.ship_address2) == ('山田 花子', '1000001', '㈱蔵ビル ①号室')
    assert (order.ship_phone, order.delivery_time_slot) == ('0312345678', '午前中')
    assert order.status == 'allocated'
    assert db.session.scalar(sa.select(sa.func.sum(Allocation.quantity))) == 3
    assert '0' in client.get('/shop/cart').text   # the cart is empty again
    from app.notifications.models import EmailMessage

    message = db.session.scalar(sa.select(EmailMessage))
    assert message.to_address == 'hanako@example.jp'
    assert order.number in message.subject


def test_a_bank_transfer_order_keeps_its_stock_while_it_waits_for_the_money(client, shop):
    buy(client, 'W-1', 3)
    client.post('/shop/checkout', data={**ADDRESS, 'payment_method': 'bank_transfer'})
    client.post('/shop/checkout/confirm')
    order = db.session.scalar(sa.select(Order))
    assert [h.reason for h in order.open_holds] == ['payment_pending']
    assert db.session.scalar(sa.select(sa.func.sum(Allocation.quantity))) == 3
    assert '売り切れ' in client.get('/shop/products/W-1').text


@pytest.mark.parametrize(('field', 'value', 'message'), [
    ('name', '', 'このフィールドは必須です'),
    ('kana', 'yamada', 'カタカナ'),
    ('email', 'hanako@', 'メールアドレス'),
    ('phone', '123', '電話番号'),
    ('postal_code', '12-34', '郵便番号は7桁'),
    ('postal_code', '000-0000', '郵便番号 000-0000 はありません'),
    ('payment_method', '', '支払'),
])
def test_every_checkout_field_is_checked_next_to_it_and_nothing_typed_is_lost(client, shop, field, value, message):
    buy(client, 'T-1', 1)
    response = client.post('/shop/checkout', data={**ADDRESS, field: value})
    assert response.status_code == 422
    assert message in response.text, response.text[response.text.find('class="error"') - 300:][:800]
    kept = {k: v for k, v in ADDRESS.items() if k not in (field, 'delivery_date', 'time_slot', 'payment_method',
                                                           'prefecture', 'comment', 'address2') and v}
    for key, typed in kept.items():
        assert f'value="{typed}"' in response.text, key
    assert count(Order) == 0


def test_the_customer_who_loses_the_last_unit_is_told_and_keeps_the_cart(app, shop):
    first, second = app.test_client(), app.test_client()
    for client in (first, second):
        buy(client, 'W-1', 3)
        client.post('/shop/checkout', data=ADDRESS)
    assert first.post('/shop/checkout/confirm').headers['Location'] == '/shop/thanks'
    lost = second.post('/shop/checkout/confirm', follow_redirects=True).text
    assert '在庫が足りなくなりました' in lost
    assert '有田焼 湯呑み' in lost   # still in the cart
    assert count(Order) == 1


def test_simultaneous_checkouts_sell_exactly_the_units_on_hand(app, shop):
    _, cup, _ = shop
    cup_id = cup.id
    db.session.commit()
    results, barrier = [], threading.Barrier(8)

    def customer(n):
        with app.app_context():
            checkout = Checkout(**{**{k: v for k, v in ADDRESS.items() if k not in ('delivery_date',)},
                                   'delivery_date': None, 'phone': '0312345678', 'postal_code': '1000001',
                                   'email': f'c{n}@example.jp'})
            barrier.wait()
            try:
                place_order(checkout, [(cup_id, 1)])
                db.session.commit()
                results.append('sold')
            except OutOfStock:
                db.session.rollback()
                results.append('sold out')
            finally:
                db.session.remove()

    run_together(*((customer, n) for n in range(8)))
    assert results.count('sold') == 3
    assert results.count('sold out') == 5
    assert db.session.scalar(sa.select(sa.func.sum(Allocation.quantity))) == 3


def test_mall_imports_and_checkouts_at_once_promise_exactly_the_units_on_hand(app, shop):
    """Two mall files imported while four customers check out the same 3 cups: never more than 3 promised."""
    _, cup, _ = shop
    cup_id = cup.id
    db.session.commit()  # and no more reads here: on SQLite this session would take the write lock
    sold, errors, barrier = [], [], threading.Barrier(6)

    def importer(n):
        rows = [kura_row(f'MALL-{n}-{k}', sku='W-1', jan='', quantity='1', option_text='', comment='', gift_wrap='',
                         noshi='', delivery_date='') for k in range(3)]
        with app.app_context():
            try:
                barrier.wait()
                import_order_files('kura', [(f'mall-{n}.csv', table(KURA_HEADER, rows, encoding='utf-8'))])
                db.session.commit()
            except Exception as exc:  # any error fails the test
                errors.append(repr(exc))
            finally:
                db.session.remove()

    def customer(n):
        with app.app_context():
            checkout = Checkout(**{**{k: v for k, v in ADDRESS.items() if k not in ('delivery_date',)},
                                   'delivery_date': None, 'phone': '0312345678', 'postal_code': '1000001',
                                   'email': f'c{n}@example.jp'})
            try:
                barrier.wait()
                place_order(checkout, [(cup_id, 1)])
                db.session.commit()
                sold.append(n)
            except OutOfStock:
                db.session.rollback()
            except Exception as exc:
                errors.append(repr(exc))
            finally:
                db.session.remove()

    run_together(*((importer, n) for n in range(2)), *((customer, n) for n in range(4)))
    assert errors == []
    db.session.expire_all()
    imported = db.session.scalars(sa.select(Order).where(Order.channel == 'kura')).all()
    assert len(imported) == 6  # every imported order is there, with or without a cup for it
    assert {o.status for o in imported} <= {'allocated', 'backordered'}
    allocated_imports = sum(1 for o in imported if o.status == 'allocated')
    level = db.session.scalar(sa.select(StockLevel).where(StockLevel.product_id == cup_id))
    promised = db.session.scalar(sa.select(sa.func.sum(Allocation.quantity)).where(Allocation.product_id == cup_id))
    assert level.on_hand == 3
    assert level.allocated == promised == allocated_imports + len(sold) == 3


def test_the_order_status_page_needs_the_right_email(client, shop):
    buy(client, 'T-1', 1)
    client.post('/shop/checkout', data=ADDRESS)
    client.post('/shop/checkout/confirm')
    order = db.session.scalar(sa.select(Order))
    right = client.post('/shop/order-status', data={'number': order.number, 'email': 'HANAKO@example.jp'})
    assert right.status_code == 200
    assert 'ご注文の準備をしています' in right.text
    wrong = client.post('/shop/order-status', data={'number': order.number, 'email': 'someone@example.jp'})
    assert wrong.status_code == 404
    assert '髙橋園の玄米茶' not in wrong.text
    assert client.post('/shop/order-status', data={'number': 'K99999999', 'email': 'hanako@example.jp'}
                       ).status_code == 404


def test_repeated_wrong_guesses_are_slowed_down(client, shop):
    for n in range(services.LOOKUP_LIMIT):
        assert client.post('/shop/order-status', data={'number': f'K0000000{n}', 'email': 'x@example.jp'}
                           ).status_code == 404
    blocked = client.post('/shop/order-status', data={'number': 'K00000001', 'email': 'x@example.jp'})
    assert blocked.status_code == 429
    assert '15 分' in blocked.text


def test_a_checkout_whose_postal_code_is_in_another_city_waits_on_the_address_check(client, shop):
    """The postal code changed after the street was typed: the order is taken, as an imported one would be,
    and waits for a clerk to check the address before it is picked."""
    buy(client, 'T-1', 1)
    wrong = {**ADDRESS, 'postal_code': '060-0001', 'prefecture': '北海道', 'city': '渋谷区', 'address1': '神南1-1'}
    assert client.post('/shop/checkout', data=wrong).headers['Location'] == '/shop/checkout/confirm'
    assert client.post('/shop/checkout/confirm').headers['Location'] == '/shop/thanks'
    order = db.session.scalar(sa.select(Order))
    assert [(h.reason, h.note) for h in order.open_holds] == [
        ('address_check', '郵便番号 060-0001 は 北海道渋谷区 ではなく 北海道札幌市中央区 です。')]
    assert order.status == 'new'
    assert db.session.scalar(sa.select(sa.func.sum(Allocation.quantity))) == 1   # the customer's unit is kept


def test_a_checkout_whose_postal_code_is_in_another_prefecture_is_taken_warned_and_held(client, shop):
    """Not refused: the customer is told on the confirm page, and a clerk checks the address before picking."""
    buy(client, 'T-1', 1)
    wrong = {**ADDRESS, 'prefecture': '大阪府', 'city': '大阪市北区'}
    assert client.post('/shop/checkout', data=wrong).headers['Location'] == '/shop/checkout/confirm'
    confirm = client.get('/shop/checkout/confirm').text
    assert '郵便番号 100-0001 は 大阪府 ではなく 東京都 です。' in confirm
    assert '発送前にご住所を確認' in confirm
    assert client.post('/shop/checkout/confirm').headers['Location'] == '/shop/thanks'
    order = db.session.scalar(sa.select(Order))
    assert [h.reason for h in order.open_holds] == ['address_check']
    assert (order.ship_prefecture, order.ship_city) == ('大阪府', '大阪市北区')   # as typed, nothing lost
    assert order.status == 'new'


def test_a_matching_address_shows_no_warning(client, shop):
    buy(client, 'T-1', 1)
    client.post('/shop/checkout', data=ADDRESS)
    assert 'role="alert"' not in client.get('/shop/checkout/confirm').text


def test_the_postal_code_fills_in_the_address(client):
    assert client.get('/shop/postal/1000001').json == {'prefecture': '東京都', 'city': '千代田区', 'town': '千代田'}
    assert client.get('/shop/postal/0000000').status_code == 404


def test_the_shop_speaks_english_on_request(client, shop):
    client.post('/locale/anonymous', data={'locale': 'en', 'next': '/shop/'})
    page = client.get('/shop/').text
    assert '¥1,080<small>(tax incl.)</small>' in page
    assert 'In stock' in page


def test_a_clerk_publishes_a_product_with_a_photo(client, login, shop):
    login('clerk')
    _, _, hidden = shop
    png = photo('PNG', size=(3, 2))
    client.post(f'/catalog/{hidden.id}', data={
        'sku': 'X-1', 'name': '非公開の商品', 'price': '500', 'tax_rate': '10', 'active': 'y', 'published': 'y',
        'description': '新商品です', 'image': (io.BytesIO(png), 'photo.png', 'image/png')},
        content_type='multipart/form-data')
    page = client.get('/shop/products/X-1')
    assert '新商品です' in page.text
    image = client.get('/shop/product-images/X-1')
    assert (image.status_code, image.mimetype, image.headers['X-Content-Type-Options']) == (200, 'image/png', 'nosniff')
    with Image.open(io.BytesIO(image.data)) as served, Image.open(io.BytesIO(png)) as sent:
        assert served.size == sent.size and served.convert('RGBA').tobytes() == sent.convert('RGBA').tobytes()


def photo(kind: str, size=(40, 30), **save) -> bytes:
    out = io.BytesIO()
    Image.new('RGB', size, (200, 30, 30)).save(out, format=kind, **save)
    return out.getvalue()


def upload_photo(client, product, data: bytes, declared: str):
    return client.post(f'/catalog/{product.id}', data={
        'sku': product.sku, 'name': product.name, 'price': '500', 'tax_rate': '10', 'active': 'y',
        'published': 'y', 'description': '', 'image': (io.BytesIO(data), 'photo', declared)},
        content_type='multipart/form-data')


@pytest.mark.parametrize(('data', 'declared'), [
    (b'<html><script>alert(document.cookie)</script></html>', 'image/png'),
    (b'GIF89a\x01\x00\x01\x00\x00\x00\x00;', 'image/gif'),
    (b'\x89PNG\r\n\x1a\n' + b'\x00' * 40, 'image/png'),
])
def test_a_file_that_is_no_photo_is_refused_whatever_type_it_declares(client, login, shop, data, declared):
    _, _, hidden = shop
    login('clerk')
    response = upload_photo(client, hidden, data, declared)
    assert response.status_code == 200 and 'The photo must be a JPEG, PNG or WebP image.' in response.text
    db.session.expire_all()
    assert hidden.image is None


def test_a_photo_is_stored_as_its_bytes_say_without_what_it_carried_beside_the_image(client, login, shop):
    _, _, hidden = shop
    exif = Image.Exif()
    exif[0x010F] = 'CameraMaker'   # Make; a phone writes the place too
    jpeg = photo('JPEG', size=(4000, 3000), exif=exif.tobytes()) + b'<script>alert(1)</script>'
    login('clerk')
    assert upload_photo(client, hidden, jpeg, 'image/png').status_code == 302   # declared PNG, is a JPEG
    db.session.expire_all()
    assert hidden.image_type == 'image/jpeg'
    assert b'<script>' not in hidden.image and b'CameraMaker' not in hidden.image
    with Image.open(io.BytesIO(hidden.image)) as stored:
        assert (stored.format, max(stored.size)) == ('JPEG', 2000)


def test_a_manager_sets_the_shop_fees_and_the_shop_uses_them(client, login, shop):
    login('manager')
    response = client.post('/settings/shop', data={
        'shop_name': '茶と器の店 蔵 本店', 'shipping_fee': '800', 'free_shipping_over': '0', 'cod_fee': '440',
        'earliest_delivery_days': '3', 'delivery_window_days': '7', 'time_slots': '午前中、14-16', 'few_left': '2'})
    assert response.status_code == 302
    settings = services.shop_settings()
    assert (settings.shipping_fee, settings.cod_fee, settings.time_slots) == (800, 440, ('午前中', '14-16'))
    assert '茶と器の店 蔵 本店' in client.get('/shop/').text
    assert client.post('/settings/shop', data={'shop_name': '', 'shipping_fee': '-1'}).status_code == 200
    client.post('/logout')
    login('clerk')
    assert client.get('/settings/shop').status_code == 403


def test_bank_transfer_customers_get_the_account_on_the_page_and_in_the_mail(client, shop):
    from app.notifications.models import EmailMessage

    save_shop_settings(ShopSettings(bank_account='蔵銀行 本店 普通 1234567 カ）クラ'), actor=None)
    db.session.commit()
    buy(client, 'T-1', 1)
    client.post('/shop/checkout', data={**ADDRESS, 'payment_method': 'bank_transfer'})
    client.post('/shop/checkout/confirm')
    assert '蔵銀行 本店 普通 1234567' in client.get('/shop/thanks').text
    message = db.session.scalar(sa.select(EmailMessage))
    assert '蔵銀行 本店 普通 1234567' in message.text_body
    assert '蔵銀行 本店 普通 1234567' in message.html_body


@pytest.mark.parametrize('sku', ['TEA/500G', 'A/B/C', 'ＫＵＲＡ-1', '50%OFF', 'X?Y#Z'])
def test_a_product_whose_sku_holds_a_slash_or_a_sign_is_shown_and_bought(client, make_product, stock, sku):
    """Shops use SKUs such as TEA/500G: its page, its photo link and its cart button must all work."""
    product = make_product(sku, name='煎茶 500g', price=1500, jan='')
    product.published = True
    db.session.commit()
    stock(product, 4)
    catalogue = client.get('/shop/').text
    link = re.search(r'href="(/shop/products/[^"]+)"', catalogue).group(1)
    page = client.get(link)
    assert page.status_code == 200 and '煎茶 500g' in page.text
    action = re.search(r'action="(/shop/cart/[^"]+)"', page.text).group(1)
    added = client.post(action, data={'quantity': '2', 'add': '1'}, follow_redirects=True)
    assert added.status_code == 200 and '煎茶 500g' in added.text and 'value="2"' in added.text
