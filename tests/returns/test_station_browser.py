"""The returns station in Chromium, driven only by the scanner robot: the parcel, the units, the hard stop."""
import sqlalchemy as sa

from app.extensions import db
from app.inventory.models import StockMovement
from app.returns import services
from app.returns.models import Return, ReturnLine
from app.returns.services import AskedLine
from tests.factories import stored_order
from tests.scanner import ScannerRobot


TEA, CUP, POT = '4569951116179', '4901234567894', '4912345000019'


def received(product_id) -> int:
    db.session.rollback()   # what the server (another thread) committed
    units = ReturnLine.sellable + ReturnLine.quarantine + ReturnLine.scrap + ReturnLine.supplier
    return db.session.scalar(sa.select(sa.func.sum(units)).where(ReturnLine.product_id == product_id)) or 0


def test_a_unit_not_in_the_return_stops_the_returns_station_until_esc(live_server, signed_in_page, shipped, request):
    services.open_return(stored_order('F-1'), [AskedLine('T-1', 2, 'defective')], actor=None)
    tracking = shipped['shipment'].tracking_number
    tea, packer_email = shipped['tea'].id, shipped['packer'].email
    db.session.commit()
    request.getfixturevalue('reading_only')
    page = signed_in_page(packer_email)
    page.goto(f'{live_server}/returns/station')
    page.wait_for_selector('#code')
    robot = ScannerRobot(page)
    assert page.evaluate('document.activeElement.id') == 'code'
    robot.scan(tracking)
    assert 'R0000000' in page.inner_text('#station')
    robot.scan(TEA)
    assert received(tea) == 1
    # a cup is not in this return: a hard stop, and scans during it count nothing
    robot.scan(CUP)
    assert page.is_visible('.station.blocked') and 'NOT IN THIS RETURN' in page.inner_text('#station')
    robot.burst(TEA, TEA)
    assert page.is_visible('.station.blocked') and received(tea) == 1
    # focus stays on the scan field: Enter does not press the acknowledge button
    assert page.evaluate('document.activeElement.id') == 'code'
    page.keyboard.press('Escape')
    robot.settle()
    assert not page.is_visible('.station.blocked')
    robot.scan('#QUARANTINE')
    robot.scan(TEA)
    assert received(tea) == 2
    assert 'Received' in page.inner_text('#station')
    db.session.rollback()
    notes = db.session.scalars(sa.select(StockMovement.note).where(StockMovement.reason == 'return')
                               .order_by(StockMovement.id)).all()
    assert notes == ['sellable', 'quarantine']
    assert db.session.scalar(sa.select(Return.state)) == 'received'


def test_an_unannounced_parcel_is_opened_by_scanning_its_order_barcode_twice(live_server, signed_in_page, shipped,
                                                                             request):
    number = stored_order('F-2').number
    packer_email = shipped['packer'].email
    db.session.commit()
    request.getfixturevalue('reading_only')
    page = signed_in_page(packer_email)
    page.goto(f'{live_server}/returns/station')
    page.wait_for_selector('#code')
    robot = ScannerRobot(page, suffix='Tab')
    robot.scan(number)
    assert 'Scan the same code again' in page.inner_text('#station')
    robot.scan(number)
    robot.scan(POT)
    db.session.rollback()
    ret = db.session.scalar(sa.select(Return))
    assert (ret.source, ret.state, ret.lines[0].reason.key, ret.lines[0].sellable) == (
        'station', 'received', 'undeliverable', 1)
    assert stored_order('F-2').status == 'returned'
