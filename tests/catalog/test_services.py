"""Products: what the catalogue service accepts and refuses."""
import pytest
import sqlalchemy as sa

from app.accounts.models import AuditEvent
from app.catalog.models import Product
from app.catalog.services import ProductData, create_product, find_product_by_code, update_product
from app.errors import UserError
from app.extensions import db
from tests.conftest import count
from tests.factories import jan_for


def data(**kw):
    values = {'sku': '00123', 'name': '静岡煎茶 100g', 'jan': '4569951116179', 'price': 1620, 'tax_rate': 8,
              'weight_g': 120, 'active': True}
    values.update(kw)
    return ProductData(**values)


def test_a_product_keeps_its_sku_exactly_with_leading_zeros():
    product = create_product(data(), actor=None)
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Product, product.id)
    assert (stored.sku, stored.name, stored.jan, stored.price, stored.tax_rate, stored.weight_g) == \
        ('00123', '静岡煎茶 100g', '4569951116179', 1620, 8, 120)


def test_sku_is_unique_and_the_clash_is_named(make_product):
    make_product('00123', name='既存の商品')
    with pytest.raises(UserError) as exc:
        create_product(data(jan=None), actor=None)
    assert exc.value.field == 'sku'
    assert str(exc.value) == 'SKU "00123" is already used by another product (既存の商品).'
    assert count(Product) == 1


def test_sku_123_and_00123_are_different_products(make_product):
    make_product('123')
    create_product(data(), actor=None)
    assert count(Product) == 2


def test_a_jan_belongs_to_one_product(make_product):
    make_product('A-1', jan='4569951116179')
    with pytest.raises(UserError, match='JAN 4569951116179 is already used by product A-1'):
        create_product(data(sku='B-1'), actor=None)


@pytest.mark.parametrize(('field', 'value', 'message'), [
    ('jan', '4569951116170', 'wrong check digit'),
    ('tax_rate', 5, 'The tax rate must be 10 or 8'),
    ('price', -1, 'The price must be 0 yen or more'),
    ('sku', ' ', 'The SKU is required'),
    ('sku', 'A 1', 'without spaces'),
    ('name', '', 'The product name is required'),
    ('weight_g', -5, 'The weight must be 0 grams or more'),
])
def test_bad_values_are_refused_naming_the_field(field, value, message):
    with pytest.raises(UserError, match=message) as exc:
        create_product(data(**{field: value}), actor=None)
    assert exc.value.field == field
    assert count(Product) == 0


def test_an_edit_records_what_changed(make_product):
    product = make_product('T-1', price=1000)
    update_product(product, data(sku='T-1', jan=product.jan, price=1200), actor=None)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == 'product.updated'))
    assert event.before['price'] == 1000 and event.after['price'] == 1200
    assert 'sku' not in event.after


def test_a_scanned_code_finds_a_product_by_jan_then_by_sku(make_product):
    by_jan = make_product('A-1', jan=jan_for(77))
    numeric_sku = make_product('4900000000000', jan='')
    assert find_product_by_code(jan_for(77)) == by_jan
    assert find_product_by_code(' A-1 ') == by_jan
    assert find_product_by_code('4900000000000') == numeric_sku
    assert find_product_by_code('nothing') is None
    assert find_product_by_code('') is None


def test_cost_and_lead_time_are_kept_checked_and_audited():
    product = create_product(ProductData(sku='C-1', name='急須', jan=None, price=3300, cost=1200, lead_time_days=14),
                             actor=None)
    assert (product.cost, product.lead_time_days) == (1200, 14)
    for field, values in (('cost', {'cost': -1}), ('lead_time_days', {'lead_time_days': 366})):
        with pytest.raises(UserError) as exc:
            update_product(product, ProductData(sku='C-1', name='急須', jan=None, price=3300, **values), actor=None)
        assert exc.value.field == field
    update_product(product, ProductData(sku='C-1', name='急須', jan=None, price=3300, cost=1300, lead_time_days=14),
                   actor=None)
    event = db.session.scalar(sa.select(AuditEvent).where(AuditEvent.action == 'product.updated'))
    assert (event.before, event.after) == ({'cost': 1200}, {'cost': 1300})
