"""Reading CSV rows: what every importer builds on (line numbers, line ends, the columns kept)."""
import pytest

from importers.base import ColumnNotKept, FileRefused, read_rows
from importers.orders._common import Columns


@pytest.fixture(autouse=True)
def app_context():
    """Replaces the application context of tests/conftest.py: reading files needs no app and no database."""


DATA = ('id,name,note,unused\r\n'
        'A,髙橋,"two\r\nlines",x\r\n'
        'B,山﨑,,y\r\n').encode('cp932')


def test_a_value_over_two_lines_keeps_its_line_break_as_newline_and_the_next_row_its_file_line():
    _, rows = read_rows(DATA, 'notes.csv')

    assert [(row.line, row.get('note')) for row in rows] == [(2, 'two\nlines'), (4, '')]


def test_only_the_columns_asked_for_are_kept_and_a_missing_one_reads_empty():
    header, rows = read_rows(DATA, 'notes.csv', columns=('id', 'note', 'not_in_file'))

    assert header == ['id', 'name', 'note', 'unused']
    assert [tuple(row.cells) for row in rows] == [('A', 'two\nlines'), ('B', '')]
    assert rows[0].get('note') == 'two\nlines'
    assert rows[0].get('not_in_file') == ''
    assert rows[0].has('name')  # the file has it, though it was not kept


def test_reading_a_column_that_was_not_kept_is_a_loud_mistake():
    _, rows = read_rows(DATA, 'notes.csv', columns=('id',))

    with pytest.raises(ColumnNotKept, match="'name'"):
        rows[0].get('name')
    with pytest.raises(ColumnNotKept, match="'name'"):
        Columns('notes.csv', rows, ['A', 'B']).text('name')


def test_a_single_kept_column_is_still_a_sequence_of_cells():
    _, rows = read_rows(DATA, 'notes.csv', columns=('name',))

    assert [tuple(row.cells) for row in rows] == [('髙橋',), ('山﨑',)]


def test_columns_read_a_whole_column_and_report_a_bad_value_against_its_row():
    _, rows = read_rows(b'order,qty,price\r\nA,2,100\r\nB,x,\r\nC,1,300\r\n', 'q.csv')
    columns = Columns('q.csv', rows, ['A', 'B', 'C'])

    assert columns.quantity('qty') == [2, 0, 1]
    assert columns.price('price') == [100, 0, 300]
    assert [(p.line, p.field, p.value, p.key) for index in sorted(columns.problems)
            for p in columns.problems[index]] == [(3, 'qty', 'x', 'B'), (3, 'price', '', 'B')]


def test_each_row_starts_on_its_own_file_line_after_values_over_several_lines_and_a_lone_carriage_return():
    data = (b'id,note\n'
            b'A,"one\ntwo\nthree"\n'
            b'B,"old Mac\rline end"\n'
            b'C,plain\n')

    _, rows = read_rows(data, 'notes.csv')

    assert [(row.line, row.get('id')) for row in rows] == [(2, 'A'), (5, 'B'), (7, 'C')]


def test_blank_lines_are_skipped_short_rows_padded_and_the_lines_still_counted():
    data = ('id,name,note\r\n'
            'A,髙橋,"two\r\nlines"\r\n'
            '\r\n'
            'B,山﨑\r\n'
            '   ,  ,\r\n'
            'C,x,y\r\n'
            '\r\n').encode('cp932')

    _, rows = read_rows(data, 'notes.csv')

    assert [(row.line, tuple(row.cells)) for row in rows] == [
        (2, ('A', '髙橋', 'two\nlines')), (5, ('B', '山﨑', '')), (7, ('C', 'x', 'y'))]


def test_a_broken_record_is_refused_naming_the_line_it_starts_on():
    data = b'id,note\nA,fine\nB,"never closed\nC,more\nD,end\n'

    with pytest.raises(FileRefused, match='line 3 is not valid CSV'):
        read_rows(data, 'notes.csv')


def test_a_row_wider_than_the_header_is_refused_with_its_line():
    data = b'id,note\nA,"two\nlines"\nB,x,extra\n'

    with pytest.raises(FileRefused, match='line 4 has 3 fields but the header has 2'):
        read_rows(data, 'notes.csv')


def _columns_of(csv_text: str) -> Columns:
    _, rows = read_rows(csv_text.encode(), 'c.csv')
    return Columns('c.csv', rows, [str(n) for n in range(len(rows))])


@pytest.mark.parametrize('rows', [
    # digits only in every row: read as whole columns
    ['03,1234,5678,060,0001,2025-10-07 09:50:26', '090,1111,2222,100,0005,2025-01-01 00:00:00'],
    # one full-width, hyphenated or empty value: read value by value
    ['０３,１２３４,５６７８,〒060,0001,2025/10/07 9:50', '090,,2222,100,0005,2025-01-01 00:00:00'],
])
def test_phones_postal_codes_and_order_times_read_the_same_whether_the_column_is_clean_or_not(rows):
    from importers.orders import normalize

    columns = _columns_of('tel1,tel2,tel3,zip1,zip2,at\n' + '\n'.join(rows) + '\n')
    cells = [row.split(',') for row in rows]

    assert columns.phone('tel1', 'tel2', 'tel3') == [
        normalize.phone('-'.join(filter(None, row[:3]))) for row in cells]
    assert columns.postal_code('zip1', 'zip2') == [normalize.postal_code(f'{row[3]}-{row[4]}') for row in cells]
    assert columns.ordered_at('at') == [normalize.parse_datetime(row[5]) for row in cells]
    assert columns.problems == {}


def test_a_day_that_does_not_exist_is_reported_against_its_row_in_a_column_otherwise_clean():
    columns = _columns_of('id,at\nA,2025-10-07 09:50:26\nB,2025-02-30 10:00:00\n')

    columns.ordered_at('at')

    assert [(p.line, p.field, p.value) for p in columns.problems[1]] == [(3, 'at', '2025-02-30 10:00:00')]


def test_a_postal_code_of_six_digits_in_a_column_otherwise_clean_is_reported():
    columns = _columns_of('zip1,zip2\n060,0001\n060,001\n')

    assert columns.postal_code('zip1', 'zip2') == ['0600001', '']
    assert 'leading zero' in columns.problems[1][0].message


def test_a_header_of_hundreds_of_thousands_of_columns_is_refused_at_once_naming_the_twice_named_one():
    """A 7.9 MB header kept a worker busy for two minutes: the check of repeated names is linear in the width."""
    header = ','.join(f'col{n}' for n in range(300_000)) + ',col17,col42'
    with pytest.raises(FileRefused, match='column named twice in the header: col17, col42'):
        read_rows((header + '\n' + 'x,' * 300_001 + 'x\n').encode(), 'wide.csv')
