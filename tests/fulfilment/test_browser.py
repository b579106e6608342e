"""The packing station in a real browser (Chromium from the system packages, driven by Playwright)."""
import sqlalchemy as sa

from app.extensions import db
from tests.fulfilment.conftest import by_external


def test_a_packer_scans_an_order_is_stopped_by_a_wrong_item_and_gets_the_label(live_server, signed_in_page, floor):
    from app.fulfilment import services

    services.create_pick_batch(actor=None)
    db.session.commit()
    number, email = by_external('F-1').number, floor['packer'].email
    db.session.commit()  # no transaction of ours may hold SQLite's write lock while the browser works
    page = signed_in_page(email)
    page.goto(f'{live_server}/pack/')
    page.fill('#station', '梱包1')
    page.keyboard.press('Enter')
    page.wait_for_selector('#code')

    def scan(code):
        # a keyboard-wedge scanner types into whatever has focus, then presses Enter
        page.keyboard.type(code)
        page.keyboard.press('Enter')

    assert page.evaluate('document.activeElement.id') == 'code'
    scan(number)
    page.wait_for_selector('text=Scan each unit')
    scan('4569951116179')
    page.wait_for_selector('.scan-result.ok')
    assert page.evaluate('document.activeElement.id') == 'code'
    scan('4912345000019')                         # a pot of another order: a hard stop
    page.wait_for_selector('.station.blocked')
    assert 'WRONG ORDER' in page.inner_text('.scan-result.error')
    assert page.is_disabled('#code')              # nothing more is accepted
    scan('4569951116179')                         # the scanner's Enter does not acknowledge
    assert page.is_visible('.station.blocked')
    page.keyboard.press('Escape')                 # the packer acknowledges
    page.wait_for_selector('#code:enabled')
    assert page.evaluate('document.activeElement.id') == 'code'
    scan('4569951116179')
    page.wait_for_selector('.pack-lines tr.done')
    # the last unit: packed, and the label opens by itself in a new window for printing
    with page.context.expect_event('request', lambda request: request.url.endswith('/label.pdf')) as label_request:
        scan('4901234567894')
    label = label_request.value.response()
    assert label.status == 200
    assert label.headers['content-type'] == 'application/pdf'
    page.wait_for_selector(f'text=Order {number} is packed.')
    assert by_external('F-1').status == 'packed'
    from app.fulfilment.models import ScanEvent

    assert db.session.scalars(sa.select(ScanEvent.result).order_by(ScanEvent.id)).all() == [
        'order', 'ok', 'other_order', 'acknowledged', 'ok', 'ok']   # the code typed while locked never arrived
