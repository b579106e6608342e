"""Orders as the malls send them, for the channel stock tests."""
from app.extensions import db
from app.orders.importing import import_order_files
from tests.factories import RAKUTEN_HEADER, order_row, table


def rakuten_order(order_id, code, quantity):
    """A paid Rakuten order for `quantity` of the item code, asking for nothing that holds it."""
    row = order_row(order_id, **{'SKU管理番号': code, '個数': str(quantity), '単価': '1000',
                                 '合計金額': str(1000 * quantity), 'のし': '', 'ラッピング名1': '',
                                 'お届け時間帯': '', 'お届け日指定': ''})
    summary = import_order_files('rakuten', [(f'{order_id}.csv', table(RAKUTEN_HEADER, [row]))])
    db.session.commit()
    return summary
