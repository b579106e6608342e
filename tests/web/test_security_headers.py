"""Every answer carries the headers that hold a browser to what Kura means to do (#14, finding 5)."""
import re
from pathlib import Path

import pytest

from app.web.security import CONTENT_SECURITY_POLICY


TEMPLATES = Path(__file__).resolve().parents[2] / 'app'


def assert_guarded(response, path):
    headers = response.headers
    assert headers.get('Content-Security-Policy') == CONTENT_SECURITY_POLICY, path
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY and "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert (headers.get('X-Frame-Options'), headers.get('X-Content-Type-Options'),
            headers.get('Referrer-Policy')) == ('DENY', 'nosniff', 'same-origin'), path


def get_paths(app):
    """Every route a browser can GET without filling in an id: pages, files, fragments."""
    return sorted({rule.rule for rule in app.url_map.iter_rules()
                   if 'GET' in rule.methods and not rule.arguments and rule.endpoint != 'static'})


def test_every_page_carries_the_headers_for_anyone_and_for_an_admin(app, client, login):
    paths = get_paths(app)
    assert len(paths) > 20 and '/pack/' in paths and '/shop/' in paths
    for path in paths:
        assert_guarded(client.get(path), path)
    login('admin')
    for path in paths:
        assert_guarded(client.get(path), path)
    with client.get('/static/kura.css') as static:
        assert_guarded(static, '/static/kura.css')
    assert_guarded(client.get('/no/such/page'), '404')


def test_hsts_only_where_the_site_is_served_over_tls(client):
    assert 'Strict-Transport-Security' not in client.get('/login').headers
    secure = client.get('/login', base_url='https://kura.example')
    assert secure.headers['Strict-Transport-Security'] == 'max-age=31536000'


@pytest.mark.parametrize('template', sorted(p.relative_to(TEMPLATES).as_posix() for p in TEMPLATES.rglob('*.html')))
def test_no_template_holds_a_script_the_policy_would_block(template):
    text = (TEMPLATES / template).read_text(encoding='utf-8')
    assert not re.search(r'<script(?![^>]*\bsrc=)', text), 'an inline <script>: move it to app/static/'
    assert not re.search(r'\son[a-z]+\s*=', text), 'an inline handler: use a data attribute and a static script'
    assert 'javascript:' not in text
