"""Who may open what: login everywhere but the shop, login and health; roles per area."""
import re

import pytest


ROLES = ('admin', 'manager', 'clerk', 'packer')
#: anyone, signed in or not
PUBLIC = 'public'
SIGNED_IN = frozenset(ROLES)
ADMIN = frozenset({'admin'})
MANAGEMENT = frozenset({'admin', 'manager'})
OFFICE = frozenset({'admin', 'manager', 'clerk'})
FLOOR = frozenset({'admin', 'manager', 'packer'})
RECEIVING = frozenset({'admin', 'manager', 'clerk', 'packer'})

#: every endpoint of the application and who may open it: a route missing here fails the suite
ACCESS = {
    'static': PUBLIC,
    'web.healthz': PUBLIC,
    # monitoring: /readyz, and /metrics behind its own token (tests/operations/test_monitoring.py)
    'operations.readyz': PUBLIC,
    'operations.metrics': PUBLIC,
    'web.home': SIGNED_IN,
    # accounts
    'accounts.login': PUBLIC,
    'accounts.set_anonymous_locale': PUBLIC,
    'accounts.logout': SIGNED_IN,
    'accounts.logout_everywhere': SIGNED_IN,
    'accounts.end_logins': ADMIN,
    'accounts.unlock_user': ADMIN,
    'accounts.set_locale': SIGNED_IN,
    'accounts.users': ADMIN,
    'accounts.create_user': ADMIN,
    'accounts.edit_user': ADMIN,
    # the shop
    'storefront.catalogue': PUBLIC,
    'storefront.product': PUBLIC,
    'storefront.product_image': PUBLIC,
    'storefront.cart': PUBLIC,
    'storefront.set_cart': PUBLIC,
    'storefront.checkout': PUBLIC,
    'storefront.confirm': PUBLIC,
    'storefront.thanks': PUBLIC,
    'storefront.order_status': PUBLIC,
    'storefront.postal': PUBLIC,
    # catalogue
    'catalog.products': OFFICE,
    'catalog.create_product': OFFICE,
    'catalog.edit_product': OFFICE,
    'catalog.import_products': OFFICE,
    'catalog.export_products': OFFICE,
    'catalog.jan_labels': SIGNED_IN,
    # stock
    'inventory.levels': OFFICE,
    'inventory.adjust': OFFICE,
    'inventory.locations': OFFICE,
    'inventory.location_stock': OFFICE,
    'inventory.product_stock': OFFICE,
    'inventory.export_stock': OFFICE,
    'inventory.receive': SIGNED_IN,
    'stocktake.counts': MANAGEMENT,
    'stocktake.count': MANAGEMENT,
    'stocktake.approve': MANAGEMENT,
    'stocktake.settings': MANAGEMENT,
    'stocktake.start_cycle': MANAGEMENT,
    'stocktake.choose': SIGNED_IN,
    'stocktake.counting': SIGNED_IN,
    'stocktake.count_sheet': SIGNED_IN,
    'stocktake.scan': SIGNED_IN,
    'stocktake.location_done': SIGNED_IN,
    # channel stock
    'channels.stock_sync': OFFICE,
    'channels.channel_stock': OFFICE,
    'channels.make_file': OFFICE,
    'channels.stock_file': OFFICE,
    'channels.download_file': OFFICE,
    'channels.channel_rules': MANAGEMENT,
    'channels.listings': OFFICE,
    'channels.edit_listing': OFFICE,
    'channels.import_listings': OFFICE,
    'channels.unlisted': OFFICE,
    'channels.oversells': OFFICE,
    'channels.clear_oversell': MANAGEMENT,
    'inventory.move': FLOOR,
    'inventory.location_labels': OFFICE,
    'inventory.product_labels': SIGNED_IN,
    'inventory.location_limits': OFFICE,
    'inventory.replenishment': SIGNED_IN,
    'inventory.move_scan': FLOOR,
    'inventory.move_reset': FLOOR,
    'inventory.put_back_tasks': FLOOR,
    'inventory.put_back': FLOOR,
    'inventory.put_back_scan': FLOOR,
    # orders
    'orders.orders': OFFICE,
    'orders.order': OFFICE,
    'orders.export_orders': OFFICE,
    'orders.bulk': OFFICE,
    'orders.new_order': OFFICE,
    'orders.edit_lines': OFFICE,
    'orders.edit_delivery_payment': OFFICE,
    'orders.split_ship_to': OFFICE,
    'orders.entry_lines': OFFICE,
    'orders.duplicate_order': OFFICE,
    'orders.order_action': OFFICE,
    'orders.cancel': OFFICE,
    'orders.combine': OFFICE,
    'orders.split': OFFICE,
    'orders.add_hold': OFFICE,
    'orders.release_hold': OFFICE,
    'orders.add_note': OFFICE,
    'orders.edit_buyer': OFFICE,
    'orders.edit_ship_to': OFFICE,
    'orders.mark_paid': OFFICE,
    'orders.set_amount_due': OFFICE,
    'orders.unmapped': OFFICE,
    'orders.imports': OFFICE,
    'orders.upload': OFFICE,
    'orders.confirm_import': OFFICE,
    'orders.import_batch': OFFICE,
    'orders.import_problems': OFFICE,
    'orders.job': OFFICE,
    'orders.retry_job': OFFICE,
    # picking, packing, the dock
    'fulfilment.pick_batches': FLOOR,
    'fulfilment.pick_batch': FLOOR,
    'fulfilment.pick_list_pdf': FLOOR,
    'fulfilment.carrier_file': FLOOR,
    'fulfilment.ship_batch': FLOOR,
    'fulfilment.pack': FLOOR,
    'fulfilment.change_station': FLOOR,
    'fulfilment.pack_scan': FLOOR,
    'fulfilment.pack_ack': FLOOR,
    'fulfilment.pack_aside': FLOOR,
    'fulfilment.pack_override': FLOOR,
    'fulfilment.pack_requests': FLOOR,
    'fulfilment.pack_reset': FLOOR,
    'fulfilment.packing_slip': FLOOR,
    'fulfilment.shipping_label': FLOOR,
    'fulfilment.dock': FLOOR,
    'fulfilment.shipping_settings': MANAGEMENT,
    'fulfilment.tracking_import': FLOOR,
    'fulfilment.scan_report': MANAGEMENT,
    'fulfilment.scan_events': MANAGEMENT,
    # mail
    'notifications.log': OFFICE,
    'notifications.message': OFFICE,
    'notifications.requeue': MANAGEMENT,
    'notifications.templates': MANAGEMENT,
    'notifications.edit_template': MANAGEMENT,
    'notifications.default_template': MANAGEMENT,
    'notifications.preview_template': MANAGEMENT,
    'notifications.reset_template': MANAGEMENT,
    'notifications.settings': MANAGEMENT,
    # reports and settings
    'reports.dashboard': MANAGEMENT,
    'reports.daily_shipments': MANAGEMENT,
    'reports.mall_shipping': MANAGEMENT,
    'reports.analysis_page': MANAGEMENT,
    'reports.analysis_json': MANAGEMENT,
    'reports.analysis_file': MANAGEMENT,
    'settings.order_rules': MANAGEMENT,
    'settings.privacy': ADMIN,
    # personal data
    'privacy.requests': ADMIN,
    'privacy.access_log': ADMIN,
    'settings.shop': MANAGEMENT,
    # returns: the office's screens, and the returns station of whoever receives goods
    'storefront.request_return': PUBLIC,
    'returns.returns': OFFICE,
    'returns.reasons': MANAGEMENT,
    'returns.change_reason': MANAGEMENT,
    'returns.order_returns': OFFICE,
    'returns.open_return': OFFICE,
    'returns.return_detail': OFFICE,
    'returns.decide': OFFICE,
    'returns.refund': OFFICE,
    'returns.exchange': OFFICE,
    'returns.send_again': OFFICE,
    'returns.close': OFFICE,
    'returns.station': RECEIVING,
    'returns.station_scan': RECEIVING,
    'returns.station_ack': RECEIVING,
    'returns.station_finish': RECEIVING,
}


def _concrete_url(rule) -> str:
    """A URL for a rule, with 1 for every parameter (the route must answer before it looks anything up)."""
    return re.sub(r'<(?:[^:<>]+:)?([^<>]+)>', '1', rule.rule)


def _request(client, rule):
    """The rule's URL opened as a page (GET) or, for a route that only takes forms, posted with no data."""
    return client.open(_concrete_url(rule), method='GET' if 'GET' in rule.methods else 'POST')


def _sent_to_login(response) -> bool:
    target = response.headers.get('Location') or response.headers.get('HX-Redirect') or ''
    return response.status_code in (302, 401) and target.startswith('/login')


def back_office_rules(app):
    return [rule for rule in app.url_map.iter_rules() if ACCESS[rule.endpoint] != PUBLIC]


def test_every_route_is_in_the_access_table(app):
    """A new route cannot be forgotten: it fails here until ACCESS says who may open it."""
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules()}
    assert sorted(endpoints - set(ACCESS)) == [], 'routes missing from ACCESS'
    assert sorted(set(ACCESS) - endpoints) == [], 'ACCESS names endpoints that no longer exist'


def test_every_back_office_route_requires_login(app, client):
    """Anonymous visitors are sent to the login form from every route but the public ones."""
    for rule in back_office_rules(app):
        response = _request(client, rule)
        assert response.status_code == 302, f'{rule.rule} answered {response.status_code} without login'
        assert _sent_to_login(response), rule.rule


def test_public_routes_answer_anonymous_visitors(app, client):
    for rule in app.url_map.iter_rules():
        if ACCESS[rule.endpoint] == PUBLIC:
            response = _request(client, rule)
            assert not _sent_to_login(response), rule.rule
            # /readyz's 503 is its report (here: no job consumer runs), not an error
            if rule.endpoint != 'operations.readyz':
                assert response.status_code < 500, f'{rule.rule} answered {response.status_code}'


def test_open_pages_answer_without_login(client):
    assert client.get('/login').status_code == 200
    assert client.get('/healthz').status_code == 200


def test_anonymous_htmx_request_is_told_to_load_the_login_page(client):
    response = client.get('/catalog/', headers={'HX-Request': 'true'})
    assert response.status_code == 401
    assert response.headers['HX-Redirect'].startswith('/login')


def test_login_redirect_remembers_the_page(client, make_user):
    response = client.get('/stock/?q=abc')
    assert response.headers['Location'] == '/login?next=/stock/?q%3Dabc'


@pytest.mark.parametrize('role', ROLES)
def test_each_role_opens_exactly_what_the_access_table_gives_it(app, client, login, role):
    """Every back-office route: 403 for a role ACCESS leaves out; the route's own answer for the others.

    Each parameter is 1 and the database is empty, so an admitted role may meet a 404 or a form's
    refusal, never a 403, the login form or a server error; a page without parameters opens (200).
    """
    login(role)
    for rule in back_office_rules(app):
        if rule.endpoint in ('accounts.logout', 'accounts.logout_everywhere'):
            continue  # it would end the session the other routes are tried with
        response = _request(client, rule)
        status = response.status_code
        if role not in ACCESS[rule.endpoint]:
            assert status == 403, f'{role} on {rule.rule}: {status}'
            continue
        assert status != 403 and not _sent_to_login(response) and status < 500, f'{role} on {rule.rule}: {status}'
        if 'GET' in rule.methods and not rule.arguments:
            assert status == 200, f'{role} on {rule.rule}: {status}'


def test_signing_out_is_open_to_every_role(client, login):
    login('packer')
    assert client.post('/logout').headers['Location'] == '/login'
    assert _sent_to_login(client.get('/'))


def test_packer_cannot_open_user_admin_and_sees_why(client, login):
    login('packer')
    response = client.get('/users')
    assert response.status_code == 403
    assert 'Your role does not allow this page.' in response.text


def test_navigation_shows_only_what_the_role_may_open(client, login):
    login('packer')
    page = client.get('/').text
    assert '/stock/receive' in page
    assert '/users' not in page
    assert '/catalog/' not in page


def test_csrf_token_is_required_on_forms_and_htmx_posts(database_url, tmp_path, app):
    """With CSRF on (as in production), a post without the token is refused; the HTMX header is accepted."""
    from tests.conftest import PASSWORD, make_app

    secure = make_app(database_url, tmp_path, WTF_CSRF_ENABLED=True)
    with secure.app_context():
        from app.accounts.services import create_user
        from app.extensions import db

        create_user('csrf@shop.example', 'CSRF', PASSWORD, 'clerk', locale='en')
        db.session.commit()
    client = secure.test_client()
    assert client.post('/login', data={'email': 'csrf@shop.example', 'password': PASSWORD}).status_code == 400
    page = client.get('/login').text
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post('/login', data={'email': 'csrf@shop.example', 'password': PASSWORD,
                                       'csrf_token': token}).status_code == 302
    home = client.get('/').text
    header_token = re.search(r'"X-CSRFToken": "([^"]+)"', home).group(1)
    data = {'code': 'nothing', 'quantity': '1', 'location': 'A-01'}
    assert client.post('/stock/receive', data=data, headers={'HX-Request': 'true'}).status_code == 400
    response = client.post('/stock/receive', data=data, headers={'HX-Request': 'true', 'X-CSRFToken': header_token})
    assert response.status_code == 422  # past CSRF: the unknown code is the form's own error
    assert 'No product has the JAN or SKU' in response.text
