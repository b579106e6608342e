"""The move screen (棚移動) in Chromium at a handheld terminal's 360 px, driven only by the scanner robot."""
import io

import pytest
import sqlalchemy as sa
import zxingcpp
from PIL import Image

from app.database import set_read_only_transactions
from app.extensions import db
from app.fulfilment.models import PickBatch
from app.fulfilment.services import create_pick_batch
from app.inventory.models import Location, PutBackTask, StockLevel
from app.inventory.services import get_location
from app.orders.models import Allocation
from app.orders.services import cancel
from tests.factories import stored_order
from tests.scanner import ScannerRobot


TEA_JAN = '4569951116179'


def decode(png: bytes) -> list[tuple[str, str]]:
    """(format, text) of every barcode zxing-cpp reads on a screenshot."""
    return [(b.format.name, b.text) for b in zxingcpp.read_barcodes(Image.open(io.BytesIO(png)))]


def level(product, code) -> tuple[int, int]:
    db.session.rollback()   # read what the server (another thread) committed
    row = db.session.scalar(sa.select(StockLevel).join(Location).where(StockLevel.product_id == product.id,
                                                                       Location.code == code))
    return (row.on_hand, row.allocated) if row else (0, 0)


@pytest.fixture
def reading_only():
    """The test only reads while the browser works: its transactions must not take SQLite's write lock."""
    db.session.rollback()
    set_read_only_transactions(True)
    yield
    db.session.rollback()
    set_read_only_transactions(False)


@pytest.fixture
def handheld(floor, make_location, signed_in_page, live_server):
    make_location('A-09-01-1')
    email = floor['packer'].email
    db.session.rollback()
    page = signed_in_page(email)
    page.set_viewport_size({'width': 360, 'height': 740})
    page.goto(f'{live_server}/stock/move')
    page.wait_for_selector('#code')
    return page


def test_a_move_scanned_on_a_handheld_takes_the_allocations_along(floor, handheld, reading_only):
    page, tea = handheld, floor['tea']
    robot = ScannerRobot(page)
    # nothing fits sideways: a handheld never scrolls to reach the scan field or the result
    assert page.evaluate('document.documentElement.scrollWidth') <= 360
    robot.scan('NOWHERE')
    assert page.is_visible('.scan-result.error')
    robot.scan('A-01-01-1')
    assert page.is_visible('.scan-result.ok')
    # the from-location's barcode on screen reads back as its code
    assert decode(page.locator('.on-screen-barcode svg').screenshot()) == [('Code128', 'A-01-01-1')]
    robot.scan('T-1')
    robot.scan(TEA_JAN)            # the same product again: one more unit
    assert page.inner_text('#move-quantity') == '2'
    robot.scan('18')               # a typed quantity
    assert page.inner_text('#move-quantity') == '18'
    # every scan lands in the scan field, whatever the screen did in between
    assert page.evaluate('document.activeElement.id') == 'code'
    robot.scan('A-09-01-1')
    assert 'Moved 18' in page.inner_text('.scan-result.ok')
    assert level(tea, 'A-01-01-1') == (2, 2)
    assert level(tea, 'A-09-01-1') == (18, 1)
    assert db.session.scalar(sa.select(sa.func.sum(Allocation.quantity)).where(Allocation.product_id == tea.id)) == 3
    # the from-location stays: a refused move (more than is there) changes nothing
    robot.scan('T-1')
    robot.scan('5')
    robot.scan('A-09-01-1')
    assert 'only 2 on hand' in page.inner_text('.scan-result.error')
    assert level(tea, 'A-01-01-1') == (2, 2)
    assert page.evaluate('document.activeElement.id') == 'code'
    assert page.evaluate('document.documentElement.scrollWidth') <= 360


def test_the_barcodes_on_the_product_location_and_pick_batch_pages_scan_off_the_screen(
        floor, signed_in_page, live_server, reading_only):
    set_read_only_transactions(False)
    batch = create_pick_batch(actor=None)
    db.session.commit()
    tea_id, location_id, batch_id, batch_code = floor['tea'].id, get_location('A-01-01-1').id, batch.id, batch.code
    email = floor['manager'].email
    db.session.rollback()
    set_read_only_transactions(True)
    page = signed_in_page(email)
    page.goto(f'{live_server}/stock/products/{tea_id}')
    assert decode(page.locator('#jan-barcode svg').screenshot()) == [('EAN13', TEA_JAN)]
    assert decode(page.locator('#sku-barcode svg').screenshot()) == [('Code128', 'T-1')]
    page.goto(f'{live_server}/stock/locations/{location_id}')
    assert decode(page.locator('#location-barcode svg').screenshot()) == [('Code128', 'A-01-01-1')]
    page.goto(f'{live_server}/pick/{batch_id}')
    assert decode(page.locator('#batch-barcode svg').screenshot()) == [('Code128', batch_code)]
    assert db.session.get(PickBatch, batch_id).code == batch_code


def test_a_put_back_task_is_done_by_scanning_on_a_handheld(floor, signed_in_page, live_server, reading_only):
    set_read_only_transactions(False)
    create_pick_batch(actor=None)
    db.session.commit()
    cancel(stored_order('F-1'), actor=None, why='お客様都合')
    db.session.commit()
    task_id, email = db.session.scalar(sa.select(PutBackTask.id)), floor['packer'].email
    db.session.rollback()
    set_read_only_transactions(True)
    page = signed_in_page(email)
    page.set_viewport_size({'width': 360, 'height': 740})
    page.goto(f'{live_server}/stock/putback/')
    assert stored_order('F-1').number in page.inner_text('main')
    page.goto(f'{live_server}/stock/putback/{task_id}')
    page.wait_for_selector('#code')
    robot = ScannerRobot(page, suffix='Tab')     # a scanner set to end its codes with Tab
    robot.scan('T-1')
    assert 'Scan the shelf first' in page.inner_text('.scan-result.error')
    assert level(floor['tea'], 'A-01-01-1') == (18, 1)
    robot.scan('A-01-01-1')
    robot.scan(TEA_JAN)
    assert level(floor['tea'], 'A-01-01-1') == (20, 1)
    robot.scan('B-01-01-1')
    robot.scan('W-1')
    assert 'task done' in page.inner_text('.scan-result.ok')
    assert level(floor['cup'], 'B-01-01-1') == (10, 0)
    assert db.session.get(PutBackTask, task_id).done_at is not None
    assert page.evaluate('document.activeElement.id') == 'code'
    assert page.evaluate('document.documentElement.scrollWidth') <= 360
