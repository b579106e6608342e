"""Reading CSV rows: what every importer builds on (line numbers, line ends, the columns kept)."""
import pytest

from importers.base import ColumnNotKept, read_rows
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
