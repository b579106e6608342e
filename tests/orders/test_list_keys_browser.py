"""Keyboard shortcuts on the order list in a real browser (Chromium, Playwright), within the page's CSP."""
import re

import pytest

from app.extensions import db
from tests.factories import kura_orders, stored_order


@pytest.fixture
def comment_queue(live_server, signed_in_page, make_user, make_product, stock):
    """The clerk on the customer-comment queue of three orders (the newest first)."""
    stock(make_product('T-1', jan=''), 10)
    kura_orders(*({'order_id': f'COM-{n}', 'ordered_at': f'2025-10-0{n}T10:00:00', 'lines': [('T-1', 1)],
                   'comment': f'コメント{n}'} for n in (1, 2, 3)))
    make_user('clerk', email='clerk@example.jp', locale='en')
    db.session.commit()  # the server is another thread: nothing of ours may hold the write lock
    page = signed_in_page('clerk@example.jp')
    page.goto(f'{live_server}/orders/?hold=customer_comment')
    return page


def focused(page) -> list[str]:
    return page.locator('#orders-table tr.key-focus code').all_inner_texts()


def test_j_and_k_move_the_focus_row_and_enter_opens_its_order(comment_queue):
    page = comment_queue
    assert focused(page) == []
    page.keyboard.press('j')
    first = focused(page)
    assert len(first) == 2 and first[1] == 'COM-3'   # the order number, then the mall order id
    page.keyboard.press('j')
    page.keyboard.press('ArrowDown')
    assert focused(page)[1] == 'COM-1'
    page.keyboard.press('j')                          # the last row stays focused
    assert focused(page)[1] == 'COM-1'
    page.keyboard.press('k')
    assert focused(page)[1] == 'COM-2'
    page.keyboard.press('Enter')
    page.wait_for_url(re.compile(rf'/orders/{stored_order("COM-2").id}$'))


def test_slash_goes_to_the_search_box_where_letters_are_typed_not_obeyed(comment_queue):
    page = comment_queue
    page.keyboard.press('j')
    page.keyboard.press('/')
    search = page.locator('#order-filters input[type=search]')
    assert search.evaluate('field => field === document.activeElement')
    assert search.input_value() == ''                # the slash itself is not typed
    page.keyboard.type('jk?')
    assert search.input_value() == 'jk?'
    assert focused(page)[1] == 'COM-3'               # j and k did not move the row
    assert not page.locator('#shortcuts').is_visible()


def test_question_mark_shows_the_shortcuts_and_escape_closes_them(comment_queue):
    page = comment_queue
    help_dialog = page.locator('#shortcuts')
    assert not help_dialog.is_visible()
    page.keyboard.press('?')
    assert help_dialog.is_visible()
    assert 'Release the hold of the row' in help_dialog.inner_text()
    page.keyboard.press('j')                         # the list stays still under the dialog
    assert focused(page) == []
    page.keyboard.press('Escape')
    assert not help_dialog.is_visible()


def test_r_releases_the_hold_of_the_focused_row_only(comment_queue):
    page = comment_queue
    oldest = stored_order('COM-1').number
    db.session.rollback()  # our read must not stand in the way of the server's write
    page.check(f'input[aria-label="{oldest}"]')      # a tick elsewhere is not acted on
    page.keyboard.press('j')
    page.keyboard.press('j')
    page.keyboard.press('r')
    page.wait_for_selector('text=Release hold: 1 orders done.')
    assert [t for t in page.locator('#orders-table tbody code').all_inner_texts() if t.startswith('COM')] \
        == ['COM-3', 'COM-1']
    assert focused(page)[1] == 'COM-1'               # the next order takes the released one's place
    db.session.rollback()
    assert [h.reason for h in stored_order('COM-2').holds if h.released_at is None] == []
    assert [h.reason for h in stored_order('COM-1').holds if h.released_at is None] == ['customer_comment']
