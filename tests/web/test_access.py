"""Who may open what: login everywhere but the shop, login and health; roles per area."""
import re

import pytest


OPEN_ENDPOINTS = {'static', 'web.healthz', 'accounts.login', 'accounts.set_anonymous_locale'}


def _concrete_url(rule) -> str:
    """A URL for a rule, with 1 for every parameter (the route must answer before it looks anything up)."""
    return re.sub(r'<(?:[^:<>]+:)?([^<>]+)>', '1', rule.rule)


def back_office_rules(app):
    return [r for r in app.url_map.iter_rules()
            if r.endpoint not in OPEN_ENDPOINTS and not r.endpoint.startswith('storefront.')]


def test_every_back_office_route_requires_login(app, client):
    """Anonymous visitors are sent to the login form from every route but the open ones."""
    rules = back_office_rules(app)
    assert len(rules) > 15
    for rule in rules:
        method = 'GET' if 'GET' in rule.methods else 'POST'
        response = client.open(_concrete_url(rule), method=method)
        assert response.status_code == 302, f'{rule.rule} answered {response.status_code} without login'
        assert response.headers['Location'].startswith('/login'), rule.rule


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


ROLE_MATRIX = [
    # (path, roles that may open it)
    ('/users', {'admin'}),
    ('/users/new', {'admin'}),
    ('/catalog/', {'admin', 'manager', 'clerk'}),
    ('/catalog/new', {'admin', 'manager', 'clerk'}),
    ('/catalog/import', {'admin', 'manager', 'clerk'}),
    ('/stock/', {'admin', 'manager', 'clerk'}),
    ('/stock/adjust', {'admin', 'manager', 'clerk'}),
    ('/stock/locations', {'admin', 'manager', 'clerk'}),
    ('/stock/receive', {'admin', 'manager', 'clerk', 'packer'}),
    ('/', {'admin', 'manager', 'clerk', 'packer'}),
    ('/orders/', {'admin', 'manager', 'clerk'}),
    ('/orders/imports/new', {'admin', 'manager', 'clerk'}),
    ('/orders/unmapped', {'admin', 'manager', 'clerk'}),
    ('/settings/orders', {'admin', 'manager'}),
    ('/mail/', {'admin', 'manager', 'clerk'}),
    ('/mail/templates', {'admin', 'manager'}),
    ('/mail/templates/order_confirmation/ja', {'admin', 'manager'}),
    ('/mail/settings', {'admin', 'manager'}),
]


@pytest.mark.parametrize('role', ['admin', 'manager', 'clerk', 'packer'])
def test_each_role_opens_exactly_its_areas(client, login, role):
    login(role)
    for path, allowed in ROLE_MATRIX:
        status = client.get(path).status_code
        expected = 200 if role in allowed else 403
        assert status == expected, f'{role} on {path}: {status}'


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
