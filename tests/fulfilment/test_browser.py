"""The packing station and the dock in a real browser (Chromium), driven only by a scanner robot.

The robot types each code and presses Enter wherever the page left focus, as a keyboard-wedge
scanner does; nothing here clicks, except the supervisor's override and the one tab a test opens
itself.  Every attack a packer's hands can make on the station's promise is a row of one table.
"""
import re

import pytest
import sqlalchemy as sa

from app.extensions import db
from app.fulfilment import services
from app.fulfilment.models import PackingSession, ScanEvent, Shipment
from app.orders.services import release_holds
from app.settings.services import save_settings
from tests.conftest import PASSWORD
from tests.factories import kura_orders, plain_orders, stored_order
from tests.scanner import ScannerRobot


TEA, CUP, POT = '4569951116179', '4901234567894', '4912345000019'


def fresh():
    """Read what the server (another thread) committed: a new transaction, not this test's old snapshot."""
    db.session.rollback()


@pytest.fixture
def reading_only():
    """The test only reads while the browser works: its transactions must not take SQLite's write lock."""
    from app.database import set_read_only_transactions

    set_read_only_transactions(True)
    yield
    db.session.rollback()
    set_read_only_transactions(False)


def units(external_id) -> int:
    """The units counted into the order's parcel by its latest packing (0 when none is open)."""
    fresh()
    session = db.session.scalar(sa.select(PackingSession).where(
        PackingSession.order_id == stored_order(external_id).id, PackingSession.status != 'reset')
        .order_by(PackingSession.id.desc()).limit(1))
    return sum(e['scanned'] for e in services.packing_lines(session)) if session else 0


def shipment(external_id) -> Shipment | None:
    fresh()
    return db.session.scalar(sa.select(Shipment).where(Shipment.order_id == stored_order(external_id).id))


def label(external_id) -> str:
    return f'A{shipment(external_id).tracking_number}A'   # NW-7 start and stop characters, as a scanner reads them


def open_station(page, live_server, name):
    page.goto(f'{live_server}/pack/')
    if page.locator('input#station').count():
        page.fill('input#station', name)
        page.keyboard.press('Enter')
    page.wait_for_selector('#code')


class AttackTable:
    """Rows of (attack, expected, seen); printed whole, and failed on any row where the two differ."""

    def __init__(self):
        self.rows = []

    def row(self, attack: str, expected: str, seen: str) -> None:
        self.rows.append((attack, expected, seen))

    def check(self):
        width = max(len(r[0]) for r in self.rows)
        print()
        print(f'{"attack":<{width}}  {"expected":<40}  seen')
        for attack, expected, seen in self.rows:
            mark = '' if expected == seen else '   <-- DIFFERS'
            print(f'{attack:<{width}}  {expected:<40}  {seen}{mark}')
        differing = [r for r in self.rows if r[1] != r[2]]
        assert not differing, f'{len(differing)} attacks were not refused as expected: {differing}'


def station_seen(page, before: int, after: int) -> str:
    """What the packer sees and what was counted: a hard stop, a refusal, or acceptance; and the count."""
    if page.is_visible('.station.blocked'):
        what = 'hard stop'
    elif page.is_visible('.scan-result.error'):
        what = 'refused'
    else:
        what = 'accepted'
    return f'{what}, count {"unchanged" if after == before else f"{before}->{after}"}'


@pytest.fixture
def attack_floor(floor, make_product, stock):
    """The floor's three orders, one more to override, a gift order, a product in no order; label check on."""
    stray = make_product('X-9', name='信楽焼 花瓶')
    stock(stray, 3, 'C-01-01-1')
    plain_orders({'order_id': 'F-4', 'ordered_at': '2025-10-04T10:00:00', 'lines': [('W-1', 1)],
                  'ship_name': '高橋 四郎', 'ship_address1': '別の住所 4-4'})
    kura_orders({'order_id': 'G-1', 'ordered_at': '2025-10-05T10:00:00', 'lines': [('T-1', 1)],
                 'payment_method': 'card', 'ship_name': '贈答 花子', 'ship_address1': '別の住所 5-5',
                 'comment': 'リボンは赤でお願いします'})
    release_holds(stored_order('G-1'), 'customer_comment', actor=None)
    save_settings('shipping', services.ShippingSettings(require_label_scan=True), actor=None)
    services.create_pick_batch(actor=None)
    db.session.commit()
    return {**floor, 'stray': stray}


def test_no_scanner_attack_gets_past_the_packing_station_or_the_dock(live_server, browser, signed_in_page,
                                                                     attack_floor, reading_only):
    packer, manager = attack_floor['packer'], attack_floor['manager']
    f1, f2, f3, f4, g1 = (stored_order(x).number for x in ('F-1', 'F-2', 'F-3', 'F-4', 'G-1'))
    stray_jan = attack_floor['stray'].jan
    fresh()   # no transaction of ours may hold SQLite's write lock while the browser works
    table = AttackTable()
    page = signed_in_page(packer.email)
    open_station(page, live_server, '梱包1')
    robot = ScannerRobot(page)

    def at_station(attack, code, order, *, expected='hard stop, count unchanged', scan=None):
        before = units(order)
        (scan or robot.scan)(code)
        table.row(attack, expected, station_seen(page, before, units(order)))

    def escape():
        page.keyboard.press('Escape')
        robot.settle()

    assert page.evaluate('document.activeElement.id') == 'code'
    robot.scan(f1)
    at_station('wrong item (in no order)', stray_jan, 'F-1')
    at_station('correct item scanned during a stop', TEA, 'F-1')
    at_station('two scans in quick succession during a stop', TEA, 'F-1', scan=lambda code: robot.burst(code, CUP))
    # the original bug: focus left on the acknowledge control, a scanner's Enter pressed it
    page.evaluate("document.getElementById('ack').focus()")
    at_station('scan while a button has focus, during a stop', TEA, 'F-1')
    at_station('Tab-terminated scan during a stop', TEA, 'F-1', scan=lambda code: robot.scan(code, 'Tab'))
    fresh()
    blocked_scans = db.session.scalar(sa.select(sa.func.count(ScanEvent.id)).where(ScanEvent.result == 'blocked'))
    table.row('scans during the stop are recorded', '5 refused scans recorded',
              f'{blocked_scans} refused scans recorded')
    table.row('focus during the stop', 'scan field', 'scan field' if page.evaluate(
        "document.activeElement.id") == 'code' else page.evaluate('document.activeElement.outerHTML.slice(0, 60)'))
    escape()
    at_station('item of another order in the batch', POT, 'F-1')
    escape()
    at_station('unknown code', '9999999999994', 'F-1')
    escape()
    robot.scan(TEA)
    robot.scan(TEA)
    at_station('one unit too many', TEA, 'F-1')
    escape()
    at_station('another order barcode while packing', f2, 'F-1')
    escape()

    robot.scan(stray_jan)   # a stop, then the page is reloaded
    page.reload()
    page.wait_for_selector('#code')
    robot = ScannerRobot(page)
    at_station('reload in the middle of an order, then a scan', CUP, 'F-1')
    table.row('reload keeps the order and its count', f'{f1} 2 of 3', f"{page.inner_text('#station h2').split()[0]} "
              f"{units('F-1')} of 3")
    escape()

    second_tab = page.context.new_page()   # the same station (the same login) in a second tab
    open_station(second_tab, live_server, '梱包1')
    robot2 = ScannerRobot(second_tab, seed=7)
    robot.scan(stray_jan)                  # a stop in the first tab
    before = units('F-1')
    robot2.scan(CUP)                       # the second tab, showing no stop yet, scans the right unit
    table.row('two tabs of one station: scan in the other tab during a stop', 'hard stop, count unchanged',
              station_seen(second_tab, before, units('F-1')))
    second_tab.keyboard.press('Escape')
    robot2.settle()
    second_tab.close()

    other_station = signed_in_page(packer.email)   # another login: another station
    open_station(other_station, live_server, '梱包2')
    robot3 = ScannerRobot(other_station, seed=11)
    before = units('F-1')
    robot3.scan(f1)
    table.row('two stations on one order', 'refused, count unchanged', station_seen(other_station, before,
                                                                                        units('F-1')))
    robot3.scan(f3)
    robot3.scan(TEA)                        # F-3 packed at 梱包2, its label not checked
    table.row('station 2 packs its order and waits for its label', 'packed, label waits',
              'packed, label waits' if shipment('F-3') and not shipment('F-3').label_verified_at else 'not packed')

    page.reload()
    page.wait_for_selector('#code')
    robot = ScannerRobot(page)
    robot.scan(CUP)                         # the last unit of F-1: packed, the station waits for its label
    table.row('last unit packs the parcel', 'packed', 'packed' if shipment('F-1') else 'not packed')
    page.reload()
    page.wait_for_selector('#code')
    robot = ScannerRobot(page)
    buttons = page.locator('#station a.button').all_inner_texts()
    table.row('reload after packing keeps label and slip', 'Shipping label, Packing slip', ', '.join(buttons))

    def label_attack(attack, code, expected='hard stop', external_ids=('F-1', 'F-3')):
        robot.scan(code)
        checked = [x for x in external_ids if shipment(x) and shipment(x).label_verified_at]
        stop = ('hard stop' if page.is_visible('.station.blocked') else
                'refused' if page.is_visible('.scan-result.error') else 'accepted')
        names = 'naming both' if all(n in page.inner_text('#station') for n in (f1, f3)) else 'not naming both'
        table.row(attack, f'{expected}, naming both, no label checked',
                  f'{stop}, {names}, {"no label checked" if not checked else "checked: " + ", ".join(checked)}')

    label_attack("another parcel's label after packing", label('F-3'))
    escape()
    robot.scan(f2)
    table.row('an order barcode instead of the label', 'hard stop, F-2 not opened',
              ('hard stop' if page.is_visible('.station.blocked') else 'no stop') +
              (', F-2 not opened' if units('F-2') == 0 and page.inner_text('#station h2').find(f1) >= 0
               else ', F-2 opened'))
    escape()
    robot.scan(label('F-1'))
    table.row('its own label', 'label checked', 'label checked' if shipment('F-1').label_verified_at else 'not checked')

    robot.scan(label('F-3'))                 # the station is free: a label with no box in hand
    table.row('a label with no box context', 'refused, not checked',
              ('refused' if page.is_visible('.scan-result.error') and not page.is_visible('.station.blocked')
               else 'hard stop' if page.is_visible('.station.blocked') else 'accepted') +
              (', not checked' if not shipment('F-3').label_verified_at else ', checked'))

    # the gift order: every unit in, but the box closes only once the requests were read
    robot.scan(g1)
    shown = page.inner_text('#requests') if page.locator('#requests').count() else ''
    table.row("the customer's requests are shown", 'gift wrapping, のし, comment, date', ', '.join(
        what for what, text in (('gift wrapping', 'ギフト包装'), ('のし', '御祝'), ('comment', 'リボンは赤で'),
                                ('date', '2025-10-10 14-16')) if text in shown) or 'nothing shown')
    robot.scan(TEA)
    table.row('the last unit before reading the requests', 'not packed', 'packed' if shipment('G-1') else 'not packed')
    page.keyboard.press('F2')
    robot.settle()
    table.row('F2: requests read', 'packed', 'packed' if shipment('G-1') else 'not packed')
    robot.scan(label('G-1'))

    # a supervisor counts a unit with a torn barcode: a deliberate act with the mouse and a password
    robot.scan(f4)
    page.click('summary')
    page.fill('#sv-email', manager.email)
    page.fill('#sv-password', PASSWORD)
    page.fill('#sv-reason', 'JAN破損')
    before = units('F-4')
    robot.scan(CUP)                          # a scan while focus is in the override form counts nothing
    table.row('a scan typed into the override form', 'nothing sent, count unchanged',
              'nothing sent, count unchanged' if units('F-4') == before else 'count changed')
    page.fill('#sv-reason', 'JAN破損')
    page.click('#override-form button[type=submit]')
    robot.settle()
    table.row('supervisor override by pointer', 'packed', 'packed' if shipment('F-4') else 'not packed')
    robot.scan(label('F-4'))

    dock = signed_in_page(packer.email)
    dock.goto(f'{live_server}/dock/')
    dock.wait_for_selector('#code')
    dock_robot = ScannerRobot(dock, seed=3)

    def at_dock(attack, code, external_id, expected):
        dock_robot.scan(code)
        state = shipment(external_id)
        seen = ('refused' if dock.is_visible('.scan-result.error') else 'shipped' if dock.is_visible(
            '.scan-result.ok') else 'nothing') + (', not shipped' if state.shipped_at is None else ', shipped')
        table.row(attack, expected, seen)
        return dock.inner_text('#station')

    at_dock('an unchecked label at the dock', label('F-3'), 'F-3', 'refused, not shipped')
    at_dock('a checked parcel at the dock', label('F-1'), 'F-1', 'shipped, shipped')
    said = at_dock('a shipped parcel at the dock', label('F-1'), 'F-1', 'refused, shipped')
    table.row('the dock says when and by whom', f'shipped by {packer.name}',
              f'shipped by {packer.name}' if re.search(rf'already shipped on .* by {packer.name}', said) else said)
    table.check()

    # the robot's run, as the manager's mis-scan report counts it (the override is the supervisor's)
    fresh()
    results = db.session.scalars(sa.select(ScanEvent.result)).all()
    assert {r: results.count(r) for r in set(results) if r not in ('ok', 'order', 'acknowledged', 'label_ok',
                                                                      'requests_read')} == {
        'wrong_item': 3, 'other_order': 2, 'too_many': 1, 'unknown_code': 1, 'label_mismatch': 2,
        'not_packable': 1, 'label_no_box': 1, 'blocked': 7, 'override': 1}
    report_page = signed_in_page(manager.email)
    report_page.goto(f'{live_server}/pack/report')
    rows = {cells[1]: [int(c) for c in cells[3:]] for cells in (
        row.locator('td').all_inner_texts() for row in report_page.locator('tbody tr').all())}
    # mis-scans, wrong item, other order, one too many, unknown code, wrong label, refused, during a stop, overrides
    assert rows == {packer.name: [18, 3, 2, 1, 1, 2, 2, 7, 0], manager.name: [0, 0, 0, 0, 0, 0, 0, 0, 1]}
