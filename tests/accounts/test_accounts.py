"""Logging in, languages, and user administration."""
import urllib.parse

import pytest
import sqlalchemy as sa

from app.accounts.models import AuditEvent, User
from app.accounts.services import clean_email
from app.errors import UserError
from app.extensions import db
from tests.conftest import PASSWORD, count


def test_staff_log_in_with_email_and_password(client, make_user):
    user = make_user('clerk', email='hanako@shop.example')
    response = client.post('/login', data={'email': 'Hanako@Shop.example ', 'password': PASSWORD})
    assert response.status_code == 302
    assert response.headers['Location'] == '/'
    assert user.name in client.get('/').text
    assert db.session.get(User, user.id).last_login_at is not None


def test_a_wrong_password_is_refused_without_saying_which_part_was_wrong(client, make_user):
    make_user('clerk', email='hanako@shop.example')
    response = client.post('/login', data={'email': 'hanako@shop.example', 'password': 'wrong password!'})
    assert response.status_code == 401
    assert 'ログイン' in response.text  # anonymous pages are Japanese by default
    assert client.get('/').status_code == 302


def test_an_inactive_account_cannot_log_in(client, make_user):
    user = make_user('clerk')
    user.active = False
    db.session.commit()
    assert client.post('/login', data={'email': user.email, 'password': PASSWORD}).status_code == 401


def test_passwords_are_stored_as_argon2_hashes(make_user):
    user = make_user('clerk')
    assert user.password_hash.startswith('$argon2id$')
    assert PASSWORD not in user.password_hash


def test_login_only_follows_next_within_the_site(client, make_user):
    user = make_user('clerk')
    response = client.post('/login?next=https://evil.example/', data={'email': user.email, 'password': PASSWORD})
    assert response.headers['Location'] == '/'
    client.post('/logout')
    response = client.post('/login?next=/stock/', data={'email': user.email, 'password': PASSWORD})
    assert response.headers['Location'] == '/stock/'


@pytest.mark.parametrize('target', ['/%09/evil.example/phish', '/%0a/evil.example', '/%5Cevil.example',
                                    '/%5C/evil.example', '//evil.example', 'https://evil.example/',
                                    'javascript:alert(1)', '/ /evil.example'])
def test_a_next_that_could_leave_the_site_leads_home(client, make_user, login, target):
    """A browser drops the tab of `/<TAB>/evil.example` and goes to //evil.example: every such target is refused."""
    user = make_user('clerk')
    response = client.post(f'/login?next={target}', data={'email': user.email, 'password': PASSWORD})
    assert (response.status_code, response.headers['Location']) == (302, '/')
    response = client.post('/locale', data={'locale': 'en', 'next': urllib.parse.unquote(target)})
    assert (response.status_code, response.headers['Location']) == (302, '/')
    client.post('/logout')
    response = client.post('/locale/anonymous', data={'locale': 'en', 'next': urllib.parse.unquote(target)})
    assert (response.status_code, response.headers['Location']) == (302, '/')


def test_a_next_with_a_nul_character_is_refused_like_any_nul(client, make_user):
    """No request may carry a NUL character (app/web/input.py): the login is refused before it is tried."""
    user = make_user('clerk')
    response = client.post('/login?next=/%00/x', data={'email': user.email, 'password': PASSWORD})
    assert response.status_code == 400
    assert client.get('/').status_code == 302   # not logged in


def test_logout_ends_the_session(client, login):
    login('clerk')
    assert client.post('/logout').status_code == 302
    assert client.get('/').status_code == 302


def test_screens_are_japanese_by_default_and_english_by_a_per_user_switch(client, login):
    user = login('clerk', locale='ja')
    page = client.get('/catalog/').text
    assert '<html lang="ja">' in page
    assert '商品' in page
    response = client.post('/locale', data={'locale': 'en', 'next': '/catalog/'})
    assert response.headers['Location'] == '/catalog/'
    assert 'Products' in client.get('/catalog/').text
    assert db.session.get(User, user.id).locale == 'en'


def test_the_login_page_has_its_own_language_switch(client):
    client.post('/locale/anonymous', data={'locale': 'en'})
    assert 'Log in' in client.get('/login').text


def test_admin_creates_a_user_who_can_then_log_in(client, login):
    admin = login('admin')
    response = client.post('/users/new', data={'email': 'new.packer@shop.example', 'name': '出荷 三郎',
                                               'role': 'packer', 'locale': 'ja', 'active': 'y',
                                               'password': 'a long password'})
    assert response.status_code == 302
    user = db.session.scalar(sa.select(User).where(User.email == 'new.packer@shop.example'))
    assert (user.name, user.role, user.locale) == ('出荷 三郎', 'packer', 'ja')
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == 'user.created',
                                                          AuditEvent.object_id == str(user.id)))
    assert event.user_id == admin.id
    client.post('/logout')
    assert client.post('/login', data={'email': 'new.packer@shop.example',
                                       'password': 'a long password'}).status_code == 302


def test_a_duplicate_email_is_shown_next_to_its_field_and_nothing_is_lost(client, login, make_user):
    login('admin')
    make_user('clerk', email='taken@shop.example')
    response = client.post('/users/new', data={'email': 'taken@shop.example', 'name': '重複 花子', 'role': 'clerk',
                                               'locale': 'ja', 'password': 'a long password'})
    assert response.status_code == 200
    assert 'A user with the e-mail address taken@shop.example already exists.' in response.text
    assert 'value="重複 花子"' in response.text
    assert count(User) == 2


def test_admin_changes_a_role_and_the_change_is_audited(client, login, make_user):
    login('admin')
    user = make_user('clerk')
    client.post(f'/users/{user.id}', data={'email': user.email, 'name': user.name, 'role': 'manager',
                                           'locale': 'en', 'active': 'y'})
    db.session.expire_all()
    assert db.session.get(User, user.id).role == 'manager'
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == 'user.updated'))
    assert event.before['role'] == 'clerk' and event.after['role'] == 'manager'
    assert 'Account changed' in client.get(f'/users/{user.id}').text   # the action in words


def test_an_admin_cannot_demote_themself(client, login):
    admin = login('admin')
    response = client.post(f'/users/{admin.id}', data={'email': admin.email, 'name': admin.name,
                                                       'role': 'clerk', 'locale': 'en', 'active': 'y'})
    assert 'You cannot change your own role or deactivate yourself.' in response.text
    db.session.expire_all()
    assert db.session.get(User, admin.id).role == 'admin'


def test_user_list_searches_sorts_and_answers_htmx_with_the_table_only(client, login, make_user):
    login('admin')
    make_user('packer', email='yamada@shop.example', name='山田 太郎')
    make_user('clerk', email='suzuki@shop.example', name='鈴木 花子')
    page = client.get('/users?q=山田')
    assert '<html' in page.text and 'yamada@shop.example' in page.text and 'suzuki@' not in page.text
    fragment = client.get('/users?q=山田', headers={'HX-Request': 'true'})
    assert '<html' not in fragment.text and 'yamada@shop.example' in fragment.text
    assert 'HX-Request' in fragment.headers['Vary']
    by_email = client.get('/users?sort=email&dir=desc', headers={'HX-Request': 'true'}).text
    assert by_email.index('yamada@') < by_email.index('suzuki@')


def test_a_short_password_is_refused(client, login):
    login('admin')
    response = client.post('/users/new', data={'email': 'short@shop.example', 'name': 'x', 'role': 'clerk',
                                               'locale': 'ja', 'password': 'short'})
    assert response.status_code == 200
    assert count(User) == 1


@pytest.mark.parametrize(('password', 'why'), [
    ('1111111111', 'too easy to guess'), ('password12', 'too easy to guess'), (' ' * 10, 'too easy to guess'),
    ('qwertyuiop', 'too easy to guess'), ('hanakoyamada', 'too easy to guess'), ('yamada2026', 'too easy to guess'),
    ('kura-demo-2026', 'the demo password'),
])
def test_a_password_that_is_guessed_easily_is_refused_next_to_its_field(client, login, password, why):
    login('admin')
    response = client.post('/users/new', data={'email': 'hanako.yamada@shop.example', 'name': '山田 花子',
                                               'role': 'clerk', 'locale': 'en', 'password': password})
    assert response.status_code == 200
    assert why in response.text and 'value="山田 花子"' in response.text
    assert count(User) == 1


def test_a_new_password_is_checked_too_and_the_old_one_stays(client, login, make_user):
    from app.accounts.services import authenticate, set_password
    from app.errors import UserError

    user = make_user('packer')
    with pytest.raises(UserError, match='too easy to guess'):
        set_password(user, 'password12', actor=None)
    db.session.rollback()
    assert authenticate(user.email, PASSWORD) is not None


def test_the_demo_shop_keeps_its_published_password(app):
    from app.accounts.services import DEMO_PASSWORD, authenticate
    from app.demo import seed

    seed()
    assert authenticate('packer@kura.example', DEMO_PASSWORD) is not None


@pytest.mark.parametrize(('address', 'reason'), [
    ('hanako', 'must have an @-sign'),
    ('hanako@', 'There must be something after the @-sign'),
    ('hanako@shop', 'It should have a period'),
    ('hana ko@shop.example', 'invalid characters'),
])
def test_an_address_that_is_not_one_is_refused_saying_why(address, reason):
    with pytest.raises(UserError, match=f'"{address}" is not an e-mail address. .*{reason}') as exc:
        clean_email(address, field='buyer_email')
    assert exc.value.field == 'buyer_email'


def test_an_address_is_checked_for_its_form_only():
    # no DNS look-up: the shop may be offline, and a domain that takes no mail is the carrier's problem
    assert clean_email(' hanako@no-mail-here.example.jp ') == 'hanako@no-mail-here.example.jp'


def copy_of_the_cookie(app, client):
    """A second browser holding a copy of `client`'s session cookie, as a stolen or shared one would be."""
    other = app.test_client()
    other.set_cookie('session', client.get_cookie('session').value)
    return other


def lets_in(browser) -> bool:
    return browser.get('/catalog/').status_code == 200


@pytest.mark.parametrize('end', ['logout', 'everywhere', 'password', 'deactivated', 'admin'])
def test_a_copied_session_cookie_stops_working_when_its_login_ends(app, client, login, make_user, end):
    from app.accounts.models import UserSession

    clerk = login('clerk')
    copy = copy_of_the_cookie(app, client)
    assert lets_in(client) and lets_in(copy)
    if end == 'logout':
        client.post('/logout')
    elif end == 'everywhere':
        client.post('/logout/everywhere')
    else:
        admin = make_user('admin')
        office = app.test_client()
        office.post('/login', data={'email': admin.email, 'password': PASSWORD})
        if end == 'admin':
            assert office.post(f'/users/{clerk.id}/logins/end').status_code == 302
        else:
            new_password = end == 'password'
            office.post(f'/users/{clerk.id}', data={
                'email': clerk.email, 'name': clerk.name, 'role': 'clerk', 'locale': 'en',
                'active': 'y' if new_password else '', 'password': 'a brand new passphrase' if new_password else ''})
    assert not lets_in(copy)
    assert not lets_in(client)
    ended = db.session.scalars(sa.select(UserSession.ended_why).where(UserSession.user_id == clerk.id)).all()
    assert ended == [end]


def test_a_new_password_keeps_the_login_of_the_admin_who_set_it_and_ends_their_others(app, client, login):
    admin = login('admin')
    elsewhere = app.test_client()
    elsewhere.post('/login', data={'email': admin.email, 'password': PASSWORD})
    client.post(f'/users/{admin.id}', data={'email': admin.email, 'name': admin.name, 'role': 'admin',
                                            'locale': 'en', 'active': 'y', 'password': 'a brand new passphrase'})
    assert lets_in(client) and not lets_in(elsewhere)


def test_a_login_ends_after_the_idle_time_and_after_the_longest_time(app, client, login):
    import datetime as dt
    import time

    from app.accounts.models import UserSession

    clerk = login('clerk')
    app.config['PERMANENT_SESSION_LIFETIME'] = dt.timedelta(seconds=1)
    time.sleep(2.1)
    assert not lets_in(client)   # the cookie's signed time is older than the idle limit
    app.config['PERMANENT_SESSION_LIFETIME'] = dt.timedelta(hours=4)
    client.post('/login', data={'email': clerk.email, 'password': PASSWORD})
    assert lets_in(client)
    from app.database import utcnow

    long_ago = utcnow() - dt.timedelta(hours=app.config['SESSION_MAX_HOURS'], minutes=1)
    db.session.execute(sa.update(UserSession).where(UserSession.ended_at.is_(None)).values(started_at=long_ago))
    db.session.commit()
    assert not lets_in(client)


def test_the_user_page_lists_where_the_user_is_logged_in(app, client, login, make_user):
    login('admin')
    packer = make_user('packer')
    station = app.test_client()
    station.post('/login', data={'email': packer.email, 'password': PASSWORD},
                 headers={'User-Agent': 'ScannerPC/1.0'})
    page = client.get(f'/users/{packer.id}').text
    assert 'ScannerPC/1.0' in page and 'Log out on every device' in page


def test_wrong_passwords_lock_the_account_for_a_while_and_an_admin_sees_and_unlocks_it(app, client, login,
                                                                                         make_user):
    from app.accounts.models import LoginFailure

    clerk = make_user('clerk', email='hanako@shop.example')
    client.post('/locale/anonymous', data={'locale': 'en'})
    for _ in range(5):
        assert client.post('/login', data={'email': clerk.email, 'password': 'not my password'}).status_code == 401
    locked = client.post('/login', data={'email': clerk.email, 'password': PASSWORD})   # right, but too late
    assert locked.status_code == 429 and 'Too many wrong passwords: try again in 15 minutes' in locked.text
    assert count(LoginFailure) == 5
    office = app.test_client()
    admin = make_user('admin')
    office.post('/login', data={'email': admin.email, 'password': PASSWORD})
    page = office.get(f'/users/{clerk.id}').text
    assert 'Locked: no password is tried' in page and page.count('Login page') == 5
    office.post(f'/users/{clerk.id}/unlock')
    assert client.post('/login', data={'email': clerk.email, 'password': PASSWORD}).status_code == 302
    assert db.session.scalar(sa.select(AuditEvent.action).where(AuditEvent.action == 'user.unlocked'))


def test_one_address_guessing_many_accounts_is_held_back(client, make_user):
    for n in range(20):
        client.post('/login', data={'email': f'guess{n}@shop.example', 'password': 'password12'})
    user = make_user('clerk')
    assert client.post('/login', data={'email': user.email, 'password': PASSWORD}).status_code == 429


def test_a_right_password_forgets_the_wrong_ones_before_it(client, make_user):
    from app.accounts.models import LoginFailure

    user = make_user('clerk')
    for _ in range(4):
        client.post('/login', data={'email': user.email, 'password': 'typo in it'})
    assert client.post('/login', data={'email': user.email, 'password': PASSWORD}).status_code == 302
    assert count(LoginFailure) == 0
