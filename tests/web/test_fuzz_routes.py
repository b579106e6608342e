"""Every route, fed hostile parameters, query strings and form fields, answers without a server error.

For each endpoint of the URL map (the ACCESS table names them all), Hypothesis draws the route's URL
parameters, query parameters and form fields from values people and scripts send by mistake or on
purpose: numbers beyond any column, other scripts' digits (², ١٢), NUL characters, long text, days
no calendar reaches, unknown encodings. Signed in as an administrator (every back-office role admits
one) or, for the shop and the login page, as an anonymous visitor. The answer may be anything but a
5xx; the test client raises the exception itself, so a failure shows its traceback.

Query and form names are read from each view's source (``request.args.get('...')``,
``request.form.get('...')``, the WTForms form classes it makes) and from the route's own page, whose
inputs and their current values are the starting point that one to four hostile values replace.
"""
import html
import importlib
import inspect
import io
import os
import pathlib
import re
import urllib.parse

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from wtforms.fields.core import UnboundField

from app.accounts.models import LoginFailure
from app.catalog.services import update_shop_fields
from app.extensions import db
from tests.conftest import PASSWORD
from tests.web.test_access import ACCESS, PUBLIC


APP = pathlib.Path(__file__).resolve().parents[2] / 'app'
#: a few examples per route and method keep the walk over every route to about a minute per database;
#: KURA_FUZZ_EXAMPLES=200 searches deeper by hand
EXAMPLES = int(os.environ.get('KURA_FUZZ_EXAMPLES', '15'))

HOSTILE_TEXT = [
    '', ' ', '\u3000', '0', '1', '-1', '2', '²', 'K²', '1²', '١٢', '٣', '2147483647', '2147483648', '-2147483649',
    '9223372036854775808', '1' + '0' * 30, '-' + '9' * 40, '1e400', 'NaN', 'inf', '1.5', '0x10',
    '0001-01-01', '9999-12-31', '2025-02-30', '10000-01-01', '2025-10-07', 'tomorrow',
    '\x00', 'a\x00b', 'bogus', 'cp932', 'utf-8', 'xlsx', 'csv', 'yamato', 'rakuten', 'ja', 'en', 'true', 'on',
    'K00000001', 'K99999999999', 'T-1', '4569951116179', 'A-01-01-1', '%', '_', '/', '//evil.example', '/\t/x',
    '/\n/x', "' OR 1=1 --", '<script>alert(1)</script>', '{{ 7*7 }}', '🍵' * 50, 'x' * 5000, '../../etc/passwd',
    'a@example.jp', 'A' * 300 + '@example.jp',
]
hostile_text = st.one_of(
    st.sampled_from(HOSTILE_TEXT),
    st.integers(min_value=-2 ** 70, max_value=2 ** 70).map(str),
    st.text(max_size=40),
)
#: ids of rows that exist (the seeded data), and of none a database can hold
hostile_ids = st.one_of(st.sampled_from([1, 2, 3, 1, 2, 3, 0, 2 ** 31 - 1, 2 ** 31, 2 ** 63, 10 ** 30]),
                        st.integers(min_value=0, max_value=2 ** 70))
KNOWN_PATH_VALUES = ['order_confirmation', 'shipping_confirmation', 'ja', 'en', 'yamato', 'sagawa', 'japanpost',
                     'rakuten', 'amazon', 'yahoo', 'T-1', 'W-1', '1000001', 'kura.css', 'a/b', 'x\x00y']
hostile_path_values = st.one_of(st.sampled_from(KNOWN_PATH_VALUES), hostile_text)
hostile_files = st.tuples(st.one_of(st.binary(max_size=300),
                                    st.sampled_from([b'sku,name,price\r\nX,y,1' + b'0' * 30 + b'\r\n',
                                                     b'sku,location,quantity\r\nT-1,A-01-01-1,2147483648\r\n',
                                                     '注文番号\r\n１\r\n'.encode('cp932'), b'\x00' * 50])),
                          hostile_text)


def _form_classes() -> dict[str, list[str]]:
    """Every WTForms form class of the application by name, with its field names."""
    classes = {}
    for path in sorted(APP.glob('*/forms.py')):
        module = importlib.import_module(f'app.{path.parent.name}.forms')
        for name, value in vars(module).items():
            if isinstance(value, type) and hasattr(value, '_wtforms_meta'):
                classes[name] = [field for field in dir(value) if isinstance(getattr(value, field, None), UnboundField)]
    return classes


FORM_CLASSES = _form_classes()
#: names every route may be sent: the tables' query string, a redirect target, check boxes of ids
COMMON_QUERY = ['q', 'sort', 'dir', 'page', 'next']
COMMON_FORM = ['ids', 'next', 'action']
FILE_NAMES = {'file', 'files', 'image'}


def route_names(app, endpoint) -> tuple[list[str], list[str]]:
    """The query and form names a view reads: from its source, and the fields of the form classes it makes."""
    view = inspect.unwrap(app.view_functions[endpoint])
    source = inspect.getsource(view)
    # the query string may be read by a helper of the view's module or by its area's queries
    area = pathlib.Path(inspect.getfile(view)).parent
    readers = '\n'.join(path.read_text(encoding='utf-8') for path in (area / 'views.py', area / 'queries.py')
                        if path.exists())
    query = set(re.findall(r"args(?:\.get|\.getlist)?\(\s*'(\w+)'", readers)) | set(re.findall(r"args\['(\w+)'\]",
                                                                                                readers))
    query |= set(re.findall(r"day\('(\w+)'\)", readers))   # OrderFilters.from_args
    # and the view's forms may be made by a helper of its module
    for name in set(re.findall(r'\b(_\w+)\(', source)):
        helper = view.__globals__.get(name)
        if inspect.isfunction(helper):
            source += inspect.getsource(helper)
    form = set(re.findall(r"form\.get(?:list)?\(\s*'(\w+)'", source))
    for name in re.findall(r'\b(\w+Form)\b', source):
        form.update(FORM_CLASSES.get(name, []))
    if 'table_state(' in source:
        query.update(COMMON_QUERY)
    if "startswith('move-')" in source:
        form.update(['move-1', 'move-2'])
    return sorted(query | set(COMMON_QUERY)), sorted(form | set(COMMON_FORM))


_INPUT = re.compile(r'<(input|select|textarea)\b([^>]*)>', re.IGNORECASE)
_ATTR = re.compile(r'([\w-]+)="([^"]*)"')


def page_fields(text: str) -> dict[str, str]:
    """The named fields of a rendered page and the values they carry (a text area's and a select's empty)."""
    fields = {}
    for _tag, attributes in _INPUT.findall(text):
        attrs = dict(_ATTR.findall(attributes))
        name = attrs.get('name')
        if not name or name == 'csrf_token' or attrs.get('type') == 'file':
            continue
        if attrs.get('type') in ('checkbox', 'radio') and 'checked' not in attributes:
            fields.setdefault(name, '')
            continue
        fields[name] = html.unescape(attrs.get('value', ''))
    return fields


@pytest.fixture
def seeded(floor, make_user):
    """The floor's orders and products (ids 1 to 3 exist), for sale in the shop, and an administrator."""
    for product in (floor['tea'], floor['cup'], floor['pot']):
        update_shop_fields(product, published=True, description='', actor=None)
    db.session.commit()
    return make_user('admin')


def _signed_in(app, admin, public: bool):
    client = app.test_client()
    if public:
        client.post('/shop/cart/T-1', data={'quantity': 1})   # so the checkout shows its form
        return client
    # the walk types wrong passwords at /login and the packing station's override: let the admin in regardless
    db.session.execute(sa.delete(LoginFailure))
    db.session.commit()
    response = client.post('/login', data={'email': admin.email, 'password': PASSWORD})
    assert response.status_code == 302, 'the administrator could not log in again'
    return client


def _url(rule, draw) -> str:
    values = {}
    for name in rule.arguments:
        converter = type(rule._converters[name]).__name__
        if converter == 'IdConverter':
            values[name] = str(draw(hostile_ids))
        else:
            values[name] = urllib.parse.quote(draw(hostile_path_values), safe='/' if converter == 'PathConverter'
                                              else '')
    return re.sub(r'<(?:[^:<>]+:)?([^<>]+)>', lambda m: values[m.group(1)] or 'x', rule.rule)


def _query(draw, query_names) -> str:
    names = draw(st.lists(st.sampled_from(query_names), max_size=4, unique=True))
    return urllib.parse.urlencode({name: draw(hostile_text) for name in names})


def _form(draw, own_fields: dict[str, str], form_names) -> dict:
    data = dict(own_fields)
    names = sorted(set(own_fields) | set(form_names))
    for name in draw(st.lists(st.sampled_from(names), min_size=1, max_size=4, unique=True)):
        if name in FILE_NAMES:
            content, filename = draw(hostile_files)
            data[name] = (io.BytesIO(content), filename or 'x.csv')
        else:
            data[name] = draw(hostile_text)
    return data


def _rules(app, endpoint):
    return [rule for rule in app.url_map.iter_rules() if rule.endpoint == endpoint]


@pytest.mark.parametrize('endpoint', sorted(ACCESS))
def test_no_route_answers_bad_input_with_a_server_error(app, seeded, endpoint):
    # each example signs in afresh: a logout, a password change or a deactivation the walk did ends no other
    public = ACCESS[endpoint] == PUBLIC
    rules = _rules(app, endpoint)
    assert rules, f'{endpoint} is in ACCESS but not in the URL map'
    query_names, form_names = route_names(app, endpoint)
    methods = sorted({method for rule in rules for method in rule.methods} & {'GET', 'POST'})

    @settings(max_examples=EXAMPLES * len(methods), deadline=None, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=st.data())
    def walk(data):
        rule = data.draw(st.sampled_from(rules))
        method = data.draw(st.sampled_from(sorted(rule.methods & {'GET', 'POST'})))
        client = _signed_in(app, seeded, public)
        url = _url(rule, data.draw)
        query = _query(data.draw, query_names)
        headers = {'HX-Request': 'true'} if data.draw(st.booleans()) else {}
        target = f'{url}?{query}' if query else url
        if method == 'GET':
            response = client.get(target, headers=headers)
        else:
            own = {}
            if 'GET' in rule.methods and '\x00' not in url:
                with client.get(url) as page:
                    own = page_fields(page.text) if page.status_code == 200 and page.mimetype == 'text/html' else {}
            response = client.post(target, data=_form(data.draw, own, form_names), headers=headers,
                                   content_type='multipart/form-data')
        response.close()   # a file sent from disk (static, send_file) stays open until then
        # /readyz's 503 is its report (no job consumer runs here), not an error
        if not (rule.endpoint == 'operations.readyz' and response.status_code == 503):
            assert response.status_code < 500, f'{method} {target}: {response.status_code}'

    walk()
