"""Every screen in Japanese: no English word, snake_case code or raw key where a Japanese user reads.

A manager whose language is Japanese opens every page of the back office (each page with parameters on
a real record: an order packed at the station, its pick batch, its shipment, its mail...), and every
text a person reads there (the text of the page, and the placeholder, title, label and button text of
its controls) is searched for words in Latin letters.  Codes, SKUs, units and names that are written in
Latin letters in Japanese too are on an allow-list; anything else fails, naming the page and the word.
"""
import re
from html.parser import HTMLParser

import pytest
import sqlalchemy as sa

from app.channels.services import ListingValues, make_stock_file, save_listing
from app.extensions import db
from app.fulfilment import services as floor_services
from app.fulfilment.models import PickBatch, Shipment
from app.inventory.models import Location, PutBackTask, StockMovement
from app.notifications.models import EmailMessage
from app.notifications.services import queue_order_confirmations
from app.orders.models import Order
from app.orders.services import cancel
from app.returns.services import AskedLine, ensure_default_reasons, open_return
from app.stocktake import services as stocktake
from tests.conftest import PASSWORD
from tests.factories import kura_orders, place_order, stored_order


#: written in Latin letters in Japanese screens too: formats, codes, units, brands, keys of the keyboard
ALLOWED = {
    'Kura', 'SKU', 'JAN', 'CSV', 'PDF', 'ID', 'URL', 'SMTP', 'TLS', 'SSL', 'HTML', 'JSON', 'API', 'OK',
    'cm', 'kg', 'mm', 'px', 'MB', 'GB', 'KB', 'Esc', 'Enter', 'Tab', 'Shift', 'Ctrl', 'F2', 'NW', 'QR',
    'Amazon', 'Yahoo', 'Shopify', 'Rakuten', 'LINE', 'PayPay', 'FAX', 'Bcc', 'Cc', 'Reply-To', 'From', 'To',
    'Excel', 'UTF', 'BOM', 'CP', 'Shift_JIS', 'JIS', 'B2', 'Cloud', 'e-hiden', 'DSR',
    'JPEG', 'PNG', 'WebP', 'TEL', 'Message-ID', 'SHA',
    'Jinja',
    'ABC',       # ABC分析, the analysis's Japanese name too
    'English',   # the language switch names each language in itself
}

#: how each parameter of a route is filled: from the records the fixture made
PARAMETERS = {
    'product_id': lambda d: d['product_id'], 'location_id': lambda d: d['location_id'],
    'order_id': lambda d: d['order_id'], 'shipment_id': lambda d: d['shipment_id'],
    'message_id': lambda d: d['message_id'], 'user_id': lambda d: d['user_id'],
    'file_id': lambda d: d['file_id'], 'listing_id': lambda d: d['listing_id'],
    'kind': lambda d: 'order_confirmation', 'locale': lambda d: 'ja',
    'sku': lambda d: 'T-1', 'channel': lambda d: 'rakuten', 'carrier': lambda d: 'yamato',
    'count_id': lambda d: d['count_id'],
    'subject': lambda d: 'sales', 'file_format': lambda d: 'xlsx',
    'return_id': lambda d: d['return_id'],
    'task_id': lambda d: d['task_id'],
}
#: /orders/imports/<batch_id> is an import; /pick/<batch_id> a pick batch
BATCHES = {'orders.import_batch': 'import_batch_id', 'orders.import_problems': 'import_batch_id'}

#: pages that are not for the back office's Japanese reader, or cannot be opened on these records
NOT_READ_HERE = {
    'static', 'web.healthz', 'operations.readyz', 'operations.metrics',   # machines read these
    'orders.job',                    # a background import's progress: tests/orders/test_jobs.py
    'storefront.postal',             # JSON for the address form
    'storefront.product_image',      # a photo
    'fulfilment.scan_events',        # JSON
    'notifications.default_template',   # a template's default source, loaded into the editor
    'accounts.login',                # a signed-in user is sent home; tests/accounts read it in Japanese
    'storefront.checkout', 'storefront.confirm', 'storefront.thanks',   # only with a cart: tests/storefront
}


class ReadableText(HTMLParser):
    """The text a person reads on a page: its text nodes and its controls' visible attributes."""

    # code, keys and a template's source (a textarea holds what a user wrote, in any language)
    SKIPPED = {'script', 'style', 'code', 'kbd', 'samp', 'svg', 'template', 'textarea'}
    SHOWN = ('placeholder', 'title', 'aria-label', 'alt')

    def __init__(self):
        super().__init__()
        self.parts, self._skipping = [], []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in self.SKIPPED:
            self._skipping.append(tag)
        self.parts.extend(attrs[name] for name in self.SHOWN if attrs.get(name))
        if tag == 'input' and attrs.get('type') in ('submit', 'button') and attrs.get('value'):
            self.parts.append(attrs['value'])

    def handle_endtag(self, tag):
        if self._skipping and self._skipping[-1] == tag:
            self._skipping.pop()

    def handle_data(self, data):
        if not self._skipping:
            self.parts.append(data)


#: what is not a word but a value: addresses, links, codes with digits, file names
VALUES = re.compile(r'\{\{.*?\}\}|\{%.*?%\}|[\w.+-]+@[\w.-]+|https?://\S+|/\S*|\b[\w-]+\.(?:csv|pdf|txt|json|tsv)\b'
                    r'|\b[A-Z]+-\d[\w-]*|\b\w*\d\w*\b', re.I)
WORD = re.compile(r"[A-Za-z][A-Za-z_'-]*[A-Za-z]")


def latin_words(html: str) -> dict[str, str]:
    """Each word in Latin letters not allowed, with the text it was read in."""
    reader = ReadableText()
    reader.feed(html)
    found = {}
    for part in reader.parts:
        for word in WORD.findall(VALUES.sub(' ', part)):
            if word not in ALLOWED:
                found.setdefault(word, ' '.join(part.split())[:100])
    return found


@pytest.fixture
def shop_day(app, floor, make_user, client, monkeypatch):
    """A day of a shop: orders imported (one held by its comment), a pick batch, a parcel packed, mail queued."""
    monkeypatch.setitem(app.config, 'MAIL_SERVER', '127.0.0.1')   # mail is queued (no server: it stays there)
    monkeypatch.setitem(app.config, 'MAIL_FROM', 'shop@kura.example')
    queue_order_confirmations([place_order('M-1', comment='不在時は宅配ボックスへ').id], actor=None, locale='ja')
    kura_orders({'order_id': 'E-1', 'ordered_at': '2025-10-04T10:00:00', 'lines': [('T-1', 99)]})
    floor['tea'].published = True   # in the shop
    floor_services.create_pick_batch(actor=None)
    db.session.commit()
    packer = floor['packer']
    f1 = stored_order('F-1')
    outcome = floor_services.open_packing(f1.number, station='梱包1', actor=packer)
    for code in ('4569951116179', '4569951116179', '4901234567894'):
        outcome = floor_services.scan(outcome.session, code, actor=packer)
    db.session.commit()
    # F-3 shipped and a unit of it on its way back
    f3 = stored_order('F-3')
    outcome = floor_services.open_packing(f3.number, station='梱包2', actor=packer)
    floor_services.scan(outcome.session, '4569951116179', actor=packer)
    floor_services.ship(floor_services.shipment_of(f3.id), actor=packer)
    ensure_default_reasons()
    ret = open_return(f3, [AskedLine('T-1', 1, 'wrong_item')], actor=packer)
    cancel(stored_order('F-2'), actor=None, why='お客様都合')   # picked: its units wait for a put-back
    db.session.commit()
    floor['packer'].name, floor['manager'].name = '梱包 一郎', '店長 花子'   # people's names, as in a Japanese shop
    db.session.execute(sa.update(StockMovement).values(reference='初期入荷'))
    count = stocktake.start_count(prefix='B-', actor=None)   # a stocktake with one location counted
    stocktake.record_location(count, 'B-01-01-1', {floor['cup'].id: 8}, actor=packer)
    db.session.commit()
    listing, _created = save_listing(ListingValues('rakuten', 'tea-genmai', 'T-1', page_code='tea'), actor=None)
    stock_file = make_stock_file('rakuten', actor=floor['manager'])
    manager = make_user('admin', locale='ja', name='管理 太郎')
    assert client.post('/login', data={'email': manager.email, 'password': PASSWORD}).status_code == 302
    return {
        'product_id': floor['tea'].id, 'location_id': db.session.scalar(sa.select(Location.id).limit(1)),
        'order_id': f1.id, 'shipment_id': db.session.scalar(sa.select(Shipment.id).where(Shipment.order_id == f1.id)),
        'message_id': db.session.scalar(sa.select(EmailMessage.id).limit(1)), 'user_id': packer.id,
        'batch_id': db.session.scalar(sa.select(PickBatch.id).limit(1)),
        'import_batch_id': db.session.scalar(sa.select(Order.import_batch_id).where(Order.id == f1.id)),
        'count_id': count.id,
        'listing_id': listing.id, 'file_id': stock_file.id,
        'return_id': ret.id,
        'task_id': db.session.scalar(sa.select(PutBackTask.id).limit(1)),
    }


def _url(rule, data) -> str:
    def value(match):
        name = match.group(1)
        if name == 'batch_id':
            return str(data[BATCHES.get(rule.endpoint, 'batch_id')])
        return str(PARAMETERS[name](data))
    return re.sub(r'<(?:[^:<>]+:)?([^<>]+)>', value, rule.rule)


def test_no_back_office_page_shows_an_english_word_to_a_japanese_reader(app, client, shop_day):
    seen, opened = {}, []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if 'GET' not in rule.methods or rule.endpoint in NOT_READ_HERE:
            continue
        url = _url(rule, shop_day)
        response = client.get(url)
        assert response.status_code == 200, f'{url}: {response.status_code}'
        if not response.content_type.startswith('text/html'):
            continue
        opened.append(url)
        for word, context in latin_words(response.text).items():
            seen.setdefault(word, []).append(f'{url} ("{context}")')
    assert len(opened) >= 40, opened
    assert seen == {}, '\n'.join(f'{word}: {"; ".join(places[:2])}' for word, places in sorted(seen.items()))
