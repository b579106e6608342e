"""JAN / EAN-13 check digits (GS1)."""
import pytest

from app.catalog.jan import check_digit, clean_jan, is_valid
from app.errors import UserError


@pytest.mark.parametrize(('body', 'digit'), [
    ('456995111617', 9),   # GS1 Japan's worked example
    ('490123456789', 4),
    ('978020137962', 4),   # an ISBN-13 is an EAN-13
    ('4901234', 7),        # JAN-8 (short JAN): the same rule
])
def test_check_digit(body, digit):
    assert check_digit(body) == digit
    assert is_valid(body + str(digit))


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
