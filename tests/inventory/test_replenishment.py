"""Replenishment: pick locations below their minimum, and the reserve shelves to refill them from."""
import pytest
import sqlalchemy as sa

from app.errors import UserError
from app.extensions import db
from app.inventory.models import Location
from app.inventory.queries import replenishments
from app.inventory.services import get_location, set_location_limits


def test_a_pick_location_below_its_minimum_is_listed_with_its_reserve_shelves(floor, stock, make_location):
    tea = floor['tea']
    stock(tea, 30, 'R-02-01-1')
    stock(tea, 4, 'R-01-01-1')
    set_location_limits(get_location('A-01-01-1'), minimum=25, capacity=40, actor=None)   # holds 20
    set_location_limits(get_location('B-01-01-1'), minimum=5, capacity=None, actor=None)  # holds 10: fine
    db.session.commit()
    [row] = replenishments()
    assert (row.location.code, row.sku, row.on_hand, row.wanted) == ('A-01-01-1', 'T-1', 20, 20)
    # reserve shelves in walking order; a shelf that is a pick location itself is not robbed
    assert row.sources == (('R-01-01-1', 4), ('R-02-01-1', 30))
    set_location_limits(get_location('A-01-01-1'), minimum=None, capacity=None, actor=None)
    db.session.commit()
    assert replenishments() == []


def test_limits_are_checked(floor):
    location = get_location('A-01-01-1')
    with pytest.raises(UserError, match='at least the minimum'):
        set_location_limits(location, minimum=10, capacity=5, actor=None)
    with pytest.raises(UserError, match='greater than 0'):
        set_location_limits(location, minimum=None, capacity=0, actor=None)


def test_the_location_page_sets_limits_and_the_list_shows_the_location(floor, login, client):
    login('manager')
    location_id = db.session.scalar(sa.select(Location.id).where(Location.code == 'A-01-01-1'))
    bad = client.post(f'/stock/locations/{location_id}/limits', data={'minimum': '30', 'capacity': '10'})
    assert bad.status_code == 422 and 'at least the minimum' in bad.text
    assert client.post(f'/stock/locations/{location_id}/limits',
                       data={'minimum': '30', 'capacity': '50'}).status_code == 302
    page = client.get('/stock/replenishment')
    assert 'A-01-01-1' in page.text and 'No reserve stock' in page.text
