"""Paging: the count stops at a limit, so a page of a huge table costs what a page costs."""
import sqlalchemy as sa

from app.catalog.models import Product
from app.web import tables


def test_the_pager_counts_up_to_its_limit_and_says_there_are_more(app, make_product, monkeypatch):
    for n in range(7):
        make_product(f'P-{n}', jan='')
    monkeypatch.setattr(tables, 'COUNT_LIMIT', 5)
    with app.test_request_context():
        page = tables.page_of(sa.select(Product).order_by(Product.sku), 1, 2)
    assert (page.total, page.more, len(page.items), page.pages) == (5, True, 2, 3)
    monkeypatch.setattr(tables, 'COUNT_LIMIT', 100)
    with app.test_request_context():
        page = tables.page_of(sa.select(Product).order_by(Product.sku), 4, 2)
    assert (page.total, page.more, [p.sku for p in page.items]) == (7, False, ['P-6'])
