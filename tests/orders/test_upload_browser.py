"""The order upload screen in a real browser (Chromium, Playwright): files dropped on it, the preview, the import."""
import base64
import re

from app.extensions import db
from app.orders.models import Order
from tests.conftest import count
from tests.factories import RAKUTEN_HEADER, order_row, table


def drop(page, selector: str, files: list[tuple[str, bytes]]) -> bool:
    """Drag files from the desktop and let go over the element; whether the page took the drop itself."""
    return page.evaluate('''([selector, files]) => {
        const dragged = new DataTransfer();
        for (const [name, encoded] of files) {
            const bytes = Uint8Array.from(atob(encoded), (c) => c.charCodeAt(0));
            dragged.items.add(new File([bytes], name, {type: 'text/csv'}));
        }
        const target = document.querySelector(selector);
        const options = {dataTransfer: dragged, bubbles: true, cancelable: true};
        target.dispatchEvent(new DragEvent('dragenter', options));
        target.dispatchEvent(new DragEvent('dragover', options));
        const drop = new DragEvent('drop', options);
        target.dispatchEvent(drop);
        return drop.defaultPrevented;
    }''', [selector, [[name, base64.b64encode(data).decode()] for name, data in files]])


def chosen(page) -> list[str]:
    return page.evaluate("Array.from(document.querySelector('#files').files, (file) => file.name)")


def test_a_clerk_drops_mall_files_on_the_upload_screen_previews_them_and_imports(live_server, signed_in_page,
                                                                                 make_user, make_product):
    make_product('00123', jan='4569951116179')
    email = make_user('clerk', locale='ja').email
    db.session.commit()  # no transaction of ours may hold SQLite's write lock while the browser works
    monday = table(RAKUTEN_HEADER, [order_row('B-1'), order_row('B-2', **{'個数': 'abc'})])
    tuesday = table(RAKUTEN_HEADER, [order_row('B-3')])
    page = signed_in_page(email)
    page.goto(f'{live_server}/orders/imports/new')

    # let go beside the field (on the page's heading): the browser must not leave the page to show the file
    assert drop(page, 'h1', [('monday.csv', monday)]) is True
    assert page.url.endswith('/orders/imports/new') and chosen(page) == []
    # on the field's label: both files go into the upload field
    assert drop(page, 'label[for=files]', [('monday.csv', monday), ('tuesday.csv', tuesday)]) is True
    assert chosen(page) == ['monday.csv', 'tuesday.csv']
    # dragged text is not a file: the browser keeps handling it (dropping it into a text field)
    assert page.evaluate('''() => {
        const dragged = new DataTransfer();
        dragged.setData('text/plain', '置き配希望');
        const drop = new DragEvent('drop', {dataTransfer: dragged, bubbles: true, cancelable: true});
        document.querySelector('h1').dispatchEvent(drop);
        return drop.defaultPrevented;
    }''') is False

    page.click('form button.primary')                   # プレビュー
    page.wait_for_selector('text=判定した形式')
    preview = page.inner_text('main')
    assert '楽天' in preview
    assert '数量が整数ではありません' in preview and 'B-2' in preview
    assert count(Order) == 0                            # nothing saved before the clerk confirms
    db.session.commit()                                 # and our read ends before the import writes
    page.click('form button.primary')                   # 2 件の受注を取り込む
    page.wait_for_url(re.compile(r'/orders/imports/\d+$'))
    assert '数量が整数ではありません' in page.inner_text('main')
    db.session.expire_all()
    assert sorted(db.session.scalars(db.select(Order.external_order_id))) == ['B-1', 'B-3']
