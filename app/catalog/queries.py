"""Reading products for screens and exports."""
import sqlalchemy as sa

from app.catalog.models import Product


SORTS = {'sku': Product.sku, 'name': Product.name, 'jan': Product.jan, 'price': Product.price,
         'updated': Product.updated_at}


def product_search(q: str = '', *, active: str = '') -> sa.Select:
    """Products whose SKU, JAN or name contain `q`; `active` is '', '1' or '0'."""
    query = sa.select(Product)
    if q:
        like = f'%{q}%'
        query = query.where(sa.or_(Product.sku.ilike(like), Product.name.ilike(like), Product.jan.like(like)))
    if active in ('1', '0'):
        query = query.where(Product.active == (active == '1'))
    return query
