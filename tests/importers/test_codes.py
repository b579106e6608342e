"""Codes as printed and scanned: carriers' mod-7 tracking numbers, JAN / EAN-13 check digits (GS1), clean-up."""
import pytest

from importers.codes import (
    code_text,
    formatted_tracking,
    is_tracking_number,
    is_valid_jan,
    jan_check_digit,
    scanned_tracking_number,
    tracking_check_digit,
    with_tracking_check_digit,
)


def test_tracking_numbers_carry_the_mod_7_check_digit():
    assert tracking_check_digit('44441375870') == 3
    assert with_tracking_check_digit('44441375870') == '444413758703'
    assert is_tracking_number('444413758703')
    assert is_tracking_number('4444-1375-8703')
    assert not is_tracking_number('444413758704')
    assert not is_tracking_number('44441375870')
    assert formatted_tracking('444413758703') == '4444-1375-8703'
    for number in ('512547514334', '405548424886', '193715301010'):
        assert is_tracking_number(number)


def test_a_tracking_number_body_has_11_digits():
    with pytest.raises(ValueError, match='11 digits'):
        tracking_check_digit('4444137587')


@pytest.mark.parametrize(('code', 'number'), [
    ('444413758703', '444413758703'),
    ('A444413758703A', '444413758703'),     # NW-7 start and stop letters passed on by the scanner
    ('a4444-1375-8703d', '444413758703'),
    (' 4444 1375 8703 ', '444413758703'),
    ('４４４４－１３７５－８７０３', '444413758703'),  # typed with a Japanese input method
    ('4569951116179', None),                 # a JAN
    ('K00000042', None),                     # an order number
    ('', None),
])
def test_the_tracking_number_a_scan_carries(code, number):
    assert scanned_tracking_number(code) == number


def test_code_text_drops_what_people_put_in_codes():
    assert code_text(' ４４４４-１３７５ ８７０３ ') == '444413758703'
    assert code_text(None) == ''


@pytest.mark.parametrize(('body', 'digit'), [
    ('456995111617', 9),   # GS1 Japan's worked example (docs/formats.md §7)
    ('490123456789', 4),
    ('978020137962', 4),   # an ISBN-13 is an EAN-13
    ('4901234', 7),        # JAN-8 (short JAN): the same rule
])
def test_jan_check_digit(body, digit):
    assert jan_check_digit(body) == digit
    assert is_valid_jan(body + str(digit))


@pytest.mark.parametrize('code', ['4569951116170', '456995111617', '456995111617X', '４５６９９５１１１６１７９', ''])
def test_an_invalid_jan(code):
    assert not is_valid_jan(code)
