"""The address forms in a real browser (Chromium, Playwright): the postal code fills the address as it is typed,
and a new prefecture or city clears the town and street of the old one.  Both within the Content-Security-Policy."""
import sqlalchemy as sa
from playwright.sync_api import expect

from app.extensions import db
from app.orders.models import Order
from tests.factories import kura_orders, stored_order


def watched_page(browser):
    """A new page, and the list of what the Content-Security-Policy refused on it."""
    refused = []
    context = browser.new_context()
    context.on('console', lambda message: refused.append(message.text)
               if 'Content Security Policy' in message.text else None)
    return context.new_page(), refused


def address(page, prefix='') -> tuple[str, str, str]:
    return tuple(page.input_value(f'#{prefix}{name}') for name in ('prefecture', 'city', 'address1'))


def test_the_shop_fills_the_address_from_the_postal_code_and_clears_an_old_street(live_server, browser,
                                                                                  make_product, stock):
    tea = make_product('T-1', name='玄米茶', jan='', price=864, tax_rate=8)
    tea.published = True
    db.session.commit()
    stock(tea, 5)
    page, refused = watched_page(browser)
    page.goto(f'{live_server}/shop/products/T-1')
    page.click('form[action$="/shop/cart/T-1"] button[type=submit]')
    page.wait_for_url('**/shop/cart')
    page.goto(f'{live_server}/shop/checkout')
    assert page.url.endswith('/shop/checkout'), page.inner_text('main')

    # the 7th digit fills the address at once: nobody has to leave the field first
    page.locator('#postal_code').press_sequentially('1000001')
    expect(page.locator('#city')).to_have_value('千代田区')
    assert address(page) == ('東京都', '千代田区', '千代田')
    page.fill('#address1', '千代田1-1')

    # another code in the same city keeps the street the customer typed
    page.fill('#postal_code', '')
    page.locator('#postal_code').press_sequentially('100-0005')
    page.wait_for_timeout(300)
    assert address(page) == ('東京都', '千代田区', '千代田1-1')

    # a code in another city: the street of the old one goes, the new town comes
    page.fill('#postal_code', '')
    page.locator('#postal_code').press_sequentially('０６０－０００１')   # typed with a Japanese input method
    expect(page.locator('#city')).to_have_value('札幌市中央区')
    assert address(page) == ('北海道', '札幌市中央区', '北一条西')

    # a city changed by hand: the town and street cannot be right any more
    page.fill('#address1', '北一条西1-2-3')
    page.fill('#city', '札幌市北区')
    page.locator('#city').dispatch_event('change')
    assert page.input_value('#address1') == ''
    # the same code typed again fills it again
    page.fill('#postal_code', '')
    page.locator('#postal_code').press_sequentially('0600001')
    expect(page.locator('#address1')).to_have_value('北一条西')
    assert address(page) == ('北海道', '札幌市中央区', '北一条西')

    # the prefecture changed by hand, too
    page.fill('#address1', '北一条西1-2-3')
    page.select_option('#prefecture', '青森県')
    assert page.input_value('#address1') == ''
    assert refused == []


def test_a_clerk_corrects_an_address_by_its_postal_code(live_server, signed_in_page, make_user, make_product):
    make_product('T-1', jan='')
    # the customer wrote a Tokyo address with a Sapporo postal code
    kura_orders({'order_id': 'AD-1', 'lines': [('T-1', 1)], 'ship_postal_code': '0600001',
                 'ship_prefecture': '北海道', 'ship_city': '渋谷区', 'ship_address1': '神南1-1',
                 'ship_kana': 'タカハシ ミナミアルプスノスケ ジュニア', 'ship_phone': '090-1234-5678'})
    email = make_user('clerk', locale='ja').email
    order = stored_order('AD-1')
    assert [h.reason for h in order.open_holds] == ['address_check']
    order_id = order.id
    db.session.commit()  # no transaction of ours may hold SQLite's write lock while the browser works

    page = signed_in_page(email)
    page.goto(f'{live_server}/orders/{order_id}')
    page.click('summary:has-text("住所を修正")')
    assert page.locator('#ship_prefecture option').count() == 48   # the 47 and none chosen
    for shown_whole in ('#ship_kana', '#ship_phone'):
        assert page.locator(shown_whole).evaluate('field => field.scrollWidth <= field.clientWidth'), shown_whole
    page.fill('#ship_postal_code', '')
    page.locator('#ship_postal_code').press_sequentially('1500041')
    expect(page.locator('#ship_city')).to_have_value('渋谷区')
    assert address(page, 'ship_') == ('東京都', '渋谷区', '神南')
    page.locator('#ship_address1').press('End')
    page.locator('#ship_address1').press_sequentially('1-1')
    page.click('form[action$="/ship-to"] button[type=submit]')
    page.wait_for_load_state()

    db.session.expire_all()
    order = db.session.scalar(sa.select(Order).where(Order.external_order_id == 'AD-1'))
    assert (order.ship_postal_code, order.ship_prefecture, order.ship_city, order.ship_address1) == \
        ('1500041', '東京都', '渋谷区', '神南1-1')
    assert order.open_holds == []
