"""A stock file made while orders are allocated holds the stock of one point in time (both databases)."""
import threading

import sqlalchemy as sa

from app.channels import services
from app.channels.models import ChannelStockFile
from app.channels.services import ListingValues, make_stock_file, save_listing
from app.extensions import db
from tests.factories import plain_orders


PRODUCTS = 30


def test_a_file_made_while_orders_take_stock_is_one_point_in_time(app, make_product, stock, monkeypatch):
    # a few products per statement, so that a file reads the stock in several statements
    monkeypatch.setattr(services, 'FREE_CHUNK', 7)
    for n in range(PRODUCTS):
        product = make_product(f'C-{n:02d}')
        stock(product, 5)
        save_listing(ListingValues('amazon', f'c-{n:02d}', f'C-{n:02d}'), actor=None)
    db.session.commit()
    errors, barrier = [], threading.Barrier(2)

    def orders():
        with app.app_context():
            try:
                barrier.wait()
                for k in range(4):
                    # one order that takes one of every product, in one transaction
                    plain_orders({'order_id': f'ALL-{k}', 'lines': [(f'C-{n:02d}', 1) for n in range(PRODUCTS)]})
            except Exception as exc:  # any error fails the test
                errors.append(repr(exc))
            finally:
                db.session.remove()

    def files():
        with app.app_context():
            try:
                barrier.wait()
                for _ in range(8):
                    make_stock_file('amazon', full=True)
                    db.session.commit()
            except Exception as exc:
                errors.append(repr(exc))
                db.session.rollback()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=orders), threading.Thread(target=files)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    made = db.session.scalars(sa.select(ChannelStockFile.content).order_by(ChannelStockFile.id)).all()
    assert len(made) == 8
    for content in made:
        quantities = {line.split('\t')[4] for line in content.decode('cp932').split('\r\n')[1:-1]}
        # every product was sent the same: the stock before or after an order, never some of each
        assert len(quantities) == 1, quantities
