"""A product's JAN as a clerk or a file gives it: 13 (or 8) digits with the right check digit."""
import pytest

from app.catalog.services import clean_jan
from app.errors import UserError


def test_a_wrong_check_digit_is_refused_with_the_right_digit_named():
    with pytest.raises(UserError) as exc:
        clean_jan('4569951116170')
    assert str(exc.value) == 'JAN "4569951116170" has a wrong check digit: the last digit should be 9.'
    assert exc.value.field == 'jan'


@pytest.mark.parametrize('value', ['45699511161', '456995111617X', '４５６９９５１１１６１７９', '12345'])
def test_a_jan_must_be_13_or_8_ascii_digits(value):
    with pytest.raises(UserError, match='must be 13 \\(or 8\\) digits'):
        clean_jan(value)


def test_an_empty_jan_means_none():
    assert clean_jan('  ') is None
    assert clean_jan(None) is None
    assert clean_jan(' 4569951116179 ') == '4569951116179'
