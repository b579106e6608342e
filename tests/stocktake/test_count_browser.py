"""The count screen on a handheld's browser (360 px wide), driven only by the scanner robot of the floor tests."""
import pytest
import sqlalchemy as sa

from app.extensions import db
from app.stocktake import services
from app.stocktake.models import CountLine, CountLocation
from tests.scanner import ScannerRobot


HANDHELD = {'width': 360, 'height': 640}


@pytest.fixture
def reading_only():
    """The test only reads while the browser works: its transactions must not take SQLite's write lock."""
    from app.database import set_read_only_transactions

    set_read_only_transactions(True)
    yield
    db.session.rollback()
    set_read_only_transactions(False)


def counted(count_id) -> dict[tuple[str, str], int | None]:
    db.session.rollback()
    return {(line.location.code, line.product.sku): line.counted
            for line in db.session.scalars(sa.select(CountLine).where(CountLine.count_id == count_id))}


def test_a_counter_counts_three_locations_by_scanner_alone(live_server, signed_in_page, floor, make_product, stock,
                                                           reading_only):
    from app.database import set_read_only_transactions

    set_read_only_transactions(False)
    spoon = make_product('SP-1', name='木のさじ', jan='4912345000033')
    count = services.start_count(prefix='B-', actor=None)
    stock(spoon, 1, 'A-01-01-1')   # booked elsewhere: found at B-01-01-1, it is counted there all the same
    db.session.commit()
    count_id, cup_jan, pot_jan = count.id, floor['cup'].jan, floor['pot'].jan
    db.session.rollback()
    set_read_only_transactions(True)

    page = signed_in_page(floor['packer'].email)
    page.set_viewport_size(HANDHELD)
    page.goto(f'{live_server}/stocktake/{count_id}/counting')
    page.wait_for_selector('#code')
    robot = ScannerRobot(page)
    assert page.evaluate('document.activeElement.id') == 'code'
    # nothing is wider than the handheld's screen
    assert page.evaluate('document.documentElement.scrollWidth') <= HANDHELD['width']

    robot.scan('B-01-01-1')
    assert 'B-01-01-1' in page.inner_text('#station')
    robot.scan(cup_jan)
    robot.scan('W-1')             # the SKU counts as the JAN does
    robot.scan('7', suffix='Tab')   # typed: there are 7 cups, whatever was scanned before
    robot.scan(spoon.jan)         # not booked here: counted, not refused
    assert page.is_visible('.scan-result.ok')
    assert 'not booked here' in page.inner_text('#station')
    # the focus never left the scan field, even after the swaps
    assert page.evaluate('document.activeElement.id') == 'code'
    robot.scan('B-02-01-1')       # the next location records the one in hand
    assert 'B-01-01-1 recorded' in page.inner_text('#station')
    robot.burst(pot_jan, pot_jan, pot_jan)   # three pots, as fast as the trigger goes
    robot.scan('B-02-01-1')       # its own label again: recorded
    assert 'B-02-01-1 recorded: 3 units' in page.inner_text('#station')
    robot.scan('9999999999999')   # a code that is nothing: refused, says so
    assert page.is_visible('.scan-result.error')
    assert page.evaluate('document.activeElement.id') == 'code'

    assert counted(count_id) == {('B-01-01-1', 'W-1'): 7, ('B-01-01-1', 'SP-1'): 1, ('B-02-01-1', 'W-2'): 3}
    assert db.session.scalar(sa.select(sa.func.count(CountLocation.id)).where(
        CountLocation.count_id == count_id, CountLocation.counted_at.is_not(None))) == 2
    # blind: the 10 cups and 5 pots of the book were never on the screen
    text = page.inner_text('body')
    assert 'Expected' not in text
