"""What screens call the order codes: every audit action an order's history can show has a label in both languages."""
import re
import types
from pathlib import Path

import pytest
from flask_babel import force_locale

import app
from app.orders.vocabulary import CARRIER_LABELS, EVENT_LABELS, describe_event, event_label, event_note


#: audit actions recorded on other records than orders: they never appear in an order's history
NOT_ON_ORDERS = {'product.created', 'product.updated', 'product.shop', 'user.created', 'user.updated',
                 'user.password_set', 'user.logins_ended', 'user.unlocked', 'email_template.saved',
                 'email_template.reset', 'email.requeued', 'settings.changed', 'tracking.range_added',
                 'privacy.request', 'stocktake.started', 'stocktake.approved', 'listing.created',
                 'listing.changed', 'oversell.cleared', 'return.opened', 'return.state', 'return.received',
                 'return.finished', 'return.refunded', 'return.exchanged', 'return.stop', 'return.stop_acknowledged',
                 'return.scan_refused', 'return_reason.changed', 'return.sent_again'}


def recorded_actions() -> set[str]:
    """Every audit action the code writes: record_audit(actor, '<action>', ...), record_audit_many(actor,
    '<action>', ...) and bulk rows' 'action' values."""
    actions = set()
    for path in Path(app.__file__).parent.rglob('*.py'):
        source = path.read_text(encoding='utf-8')
        actions |= set(re.findall(r"record_audit(?:_many)?\(\s*[^,()]+,\s*'([\w.]+)'", source))
        actions |= set(re.findall(r"'action': '([\w.]+)'", source))
    return actions


def test_every_action_an_order_can_record_has_a_label():
    actions = recorded_actions()
    assert {'order.status', 'packing.override', 'shipment.label_reprinted', 'order.email'} <= actions  # found them
    assert actions - NOT_ON_ORDERS - set(EVENT_LABELS) == set(), 'label it in EVENT_LABELS or list it in NOT_ON_ORDERS'


@pytest.mark.parametrize('labels', [EVENT_LABELS, CARRIER_LABELS], ids=['events', 'carriers'])
def test_every_label_has_a_japanese_translation(labels):
    with force_locale('en'):
        english = {code: str(label) for code, label in labels.items()}
    with force_locale('ja'):
        untranslated = [code for code, label in labels.items() if str(label) == english[code]]
    assert untranslated == []


def event(action, before=None, after=None, note=''):
    return types.SimpleNamespace(action=action, before=before, after=after, note=note)


def test_an_unknown_action_reads_as_words_in_the_readers_language():
    assert describe_event(event('shipment.weighed_again')) == 'Other change: shipment weighed again'
    with force_locale('ja'):
        assert event_label('shipment.weighed_again') == 'その他の変更：shipment weighed again'


def test_a_note_code_wrote_is_shown_in_the_readers_language_and_a_persons_note_as_written():
    assert event_note(event('order.status', note='allocation')) == 'by the allocation run'
    with force_locale('ja'):
        assert event_note(event('order.status', note='allocation')) == '引当処理による'
        assert event_note(event('order.note', note='午前中に電話あり')) == '午前中に電話あり'


@pytest.mark.parametrize(('after', 'english', 'japanese'), [
    ({'station': '梱包1', 'code': 'ACK', 'result': 'acknowledged'}, 'Error acknowledged at 梱包1',
     '梱包1 でエラーを確認'),
    ({'station': '梱包1', 'code': 'RESET', 'result': 'acknowledged'}, 'Packing started again at 梱包1',
     '梱包1 で梱包をやり直し'),
    ({'station': '梱包1', 'code': 'F2', 'result': 'requests_read'}, "Customer's requests read at 梱包1",
     '梱包1 でお客様のご要望を確認'),
    ({'station': '梱包1', 'code': 'ASIDE', 'result': 'set_aside'},
     'Box put aside at 梱包1, its label to check later', '梱包1 で箱を取り置き（送り状検品は後で）'),
    ({'station': '梱包1', 'code': 'OVERRIDE by boss@shop.example', 'result': 'override'},
     'Unit counted by supervisor override at 梱包1', '梱包1 で上長承認により検品数に計上'),
    ({'station': '梱包1', 'code': '4569951116179', 'result': 'wrong_item'}, 'Scan at 梱包1: 4569951116179 (wrong item)',
     '梱包1 でスキャン：4569951116179（誤品）'),
])
def test_the_stations_own_scans_read_as_what_happened(after, english, japanese):
    assert describe_event(event('order.scan', after=after)) == english
    with force_locale('ja'):
        assert describe_event(event('order.scan', after=after)) == japanese
