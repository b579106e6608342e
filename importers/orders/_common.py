"""What the order formats share: reading a row's cells with problems recorded, and collecting orders."""
import dataclasses
import datetime
import functools
import itertools
import operator
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence

from flask_babel import lazy_gettext as _l

from importers.base import FileRefused, Row, RowProblem, not_kept, read_rows
from importers.orders import normalize
from importers.orders.records import OrderRecord, ParseResult


def given(files: list[tuple[str, bytes]]) -> list[tuple[str, bytes]]:
    """The files of an import, refused when there are none."""
    if not files:
        raise FileRefused('(no file)', _l('no file was given'))
    return files


def read(data: bytes, filename: str, required: tuple[str, ...] = (), **options) -> tuple[list[str], list[Row]]:
    return read_rows(data, filename, required=required, **options)


def header_aliases(header: Iterable[str], aliases: Mapping[str, tuple[str, ...]]) -> dict[str, str]:
    """Map each field to the header the file uses for it, for formats whose column names vary.

    Names are compared after NFKC, so お届け先住所１ matches お届け先住所1.
    :return: field -> header name as written in the file, for the fields the file has.
    """
    present = {unicodedata.normalize('NFKC', name): name for name in header}
    found = {}
    for field, names in aliases.items():
        for name in names:
            if unicodedata.normalize('NFKC', name) in present:
                found[field] = present[unicodedata.normalize('NFKC', name)]
                break
    return found


class Cells:
    """One row read by column name; a value that does not convert becomes a RowProblem against the row.

    When a value fails, the methods return a harmless fallback so the order can still be built:
    the Collector leaves out every order with a problem, so a fallback never reaches the database.
    """

    def __init__(self, filename: str, row: Row, key: str, problems: list[RowProblem],
                 columns: Mapping[str, str] | None = None):
        self.filename = filename
        self.row = row
        self.key = key
        self.problems = problems
        #: field -> header name, for formats read through header_aliases(); other names are headers themselves
        self.columns = columns or {}

    @property
    def line(self) -> int:
        return self.row.line

    def column(self, name: str) -> str:
        return self.columns.get(name, name)

    def has(self, name: str) -> bool:
        return self.row.has(self.column(name))

    def text(self, *names: str) -> str:
        """The first non-empty value of the columns, stripped."""
        # the hottest code of an import (two million calls for 50,000 orders): Row.get() inlined
        cells, positions, aliases = self.row.cells, self.row.columns, self.columns
        for name in names:
            column = aliases.get(name, name) if aliases else name
            position = positions.get(column)
            if position is not None:
                value = cells[position].strip()
                if value:
                    return value
            else:
                not_kept(positions, column)
        return ''

    def joined(self, *names: str, sep: str = ' ') -> str:
        """The non-empty values of the columns joined, e.g. 姓 and 名 into one name."""
        return sep.join(filter(None, map(self.text, names)))

    def problem(self, field: str, value: str, message: str) -> None:
        self.problems.append(RowProblem(self.filename, self.line, field, value, str(message), self.key))

    def required(self, name: str, message: str = _l('is empty')) -> str:
        value = self.text(name)
        if not value:
            self.problem(self.column(name), '', message)
        return value

    def convert(self, parse: Callable, *names: str, fallback=None):
        """parse() applied to the columns' value (parts joined by '-'), or the fallback with a problem."""
        value = self.text(names[0]) if len(names) == 1 else self.joined(*names, sep='-')
        try:
            return parse(value)
        except ValueError as exc:
            self.problem('/'.join(self.column(name) for name in names), value, str(exc))
            return fallback

    def postal_code(self, *names: str) -> str:
        return self.convert(normalize.postal_code, *names, fallback='')

    def phone(self, *names: str) -> str:
        return normalize.phone(self.joined(*names, sep='-'))

    def yen(self, name: str) -> int | None:
        """An amount in yen, None when the cell is empty or the column absent."""
        return self.convert(normalize.yen, name, fallback=0)

    def price(self, name: str) -> int:
        """An amount in yen that must be given."""
        return self.convert(_required_yen, name, fallback=0)

    def fee(self, name: str) -> int:
        """A fee in yen (shipping, cash on delivery) or another amount that cannot be negative: 0 when the
        cell is empty or the column absent."""
        return self.convert(_fee, name, fallback=0)

    def quantity(self, name: str) -> int:
        return self.convert(normalize.quantity, name, fallback=0)

    def tax_rate(self, name: str) -> int | None:
        """A rate in percent; None when the cell is empty or the column absent."""
        return self.convert(normalize.tax_rate, name, fallback=10)

    def ordered_at(self, name: str) -> datetime.datetime:
        return self.convert(normalize.parse_datetime, name, fallback=_NO_TIME)

    def date(self, name: str) -> datetime.date | None:
        return self.convert(normalize.parse_date, name)

    def prefecture(self, name: str) -> str:
        return normalize.prefecture(self.text(name))


def foreign_currency(cells: Sequence[Cells], name: str) -> bool:
    """Whether the order is in a currency other than yen: then one problem on its first such row.

    The caller then reads none of the order's prices, so a file in dollars gives one message per order,
    not one per price cell, and 12.00 dollars is never read as 12 yen.
    """
    for c in cells:
        value = c.text(name)
        if value and value.upper() != 'JPY':
            c.problem(c.column(name), value, _l('the order is in %(currency)s, not yen (JPY): Kura imports yen orders '
                                                'only, so none of its prices is read', currency=value))
            return True
    return False


class Columns:
    """Many rows of one file read a column at a time; a value that does not convert becomes a RowProblem
    against its row, kept in ``problems`` by the row's index.

    What Cells does for one row, for a whole file at once: a file of 50,000 orders has two million
    cells to read, and a pass per column in C costs a fraction of a Python call per cell.  As with
    Cells, a value that fails gives a harmless fallback, and the Collector leaves its order out.
    """

    def __init__(self, filename: str, rows: Sequence[Row], keys: Sequence[str]):
        self.filename = filename
        #: the file line each row starts on, and the order (or other key) each row belongs to
        self.lines = [row.line for row in rows]
        self.keys = keys
        self._cells = [row.cells for row in rows]
        self._positions = rows[0].columns if rows else {}
        self.problems: dict[int, list[RowProblem]] = {}

    def __len__(self) -> int:
        return len(self._cells)

    def text(self, *names: str) -> list[str]:
        """Per row, the first non-empty value of the columns, stripped."""
        values = None
        for name in names:
            position = self._positions.get(name)
            if position is None:
                not_kept(self._positions, name)
                continue
            found = list(map(str.strip, map(operator.itemgetter(position), self._cells)))
            values = found if values is None else [value or other for value, other in zip(values, found)]
            if len(names) > 1 and all(values):
                break
        return values if values is not None else [''] * len(self._cells)

    def joined(self, *names: str, sep: str = ' ') -> list[str]:
        """Per row, the non-empty values of the columns joined, e.g. 姓 and 名 into one name."""
        return _joined(list(map(self.text, names)), sep)

    def problem(self, index: int, field: str, value: str, message: str) -> None:
        self.problems.setdefault(index, []).append(
            RowProblem(self.filename, self.lines[index], field, value, str(message), self.keys[index]))

    def parsed(self, parse: Callable, values: list[str], field: str | Sequence[str], fallback=None) -> list:
        """parse() applied to each value; a ValueError is a problem in `field` (one name, or one per row)."""
        try:
            return each(parse, values)  # the usual file: every value converts
        except ValueError:
            pass
        results = []
        for index, value in enumerate(values):
            try:
                results.append(parse(value))
            except ValueError as exc:
                self.problem(index, field if isinstance(field, str) else field[index], value, str(exc))
                results.append(fallback)
        return results

    def convert(self, parse: Callable, *names: str, fallback=None) -> list:
        """parse() applied to the columns' value (parts joined by '-'), or the fallback with a problem."""
        values = self.text(names[0]) if len(names) == 1 else self.joined(*names, sep='-')
        return self.parsed(parse, values, '/'.join(names), fallback)

    def postal_code(self, *names: str) -> list[str]:
        parts = list(map(self.text, names))
        if all(map(_ascii_digits, parts)):
            # digits only in every row: 7 of them together is what normalize.postal_code() would make
            codes = list(map(''.join, zip(*parts)))
            if set(map(len, codes)) == {7}:
                return codes
        return self.parsed(normalize.postal_code, _joined(parts, '-'), '/'.join(names), fallback='')

    def phone(self, *names: str) -> list[str]:
        parts = list(map(self.text, names))
        if all(map(_ascii_digits, parts)):
            return list(map(''.join, zip(*parts)))  # what normalize.phone() makes of digits: the digits
        return each(normalize.phone, _joined(parts, '-'))

    def yen(self, name: str) -> list[int | None]:
        """Amounts in yen, None where the cell is empty or the column absent."""
        return self.convert(normalize.yen, name, fallback=0)

    def fee(self, name: str) -> list[int]:
        """Fees in yen (shipping, cash on delivery): 0 where the cell is empty or the column absent; never negative."""
        return self.convert(_fee, name, fallback=0)

    def price(self, *names: str) -> list[int]:
        """Amounts in yen that must be given, each from the first of the columns that has one."""
        if len(names) == 1:
            return self.convert(_required_yen, names[0], fallback=0)
        values, fields = self.text(names[-1]), [names[-1]] * len(self)
        for name in reversed(names[:-1]):
            preferred, field = self.text(name), name
            fields = [field if value else other for value, other in zip(preferred, fields)]
            values = [value or other for value, other in zip(preferred, values)]
        return self.parsed(_required_yen, values, fields, fallback=0)

    def quantity(self, name: str) -> list[int]:
        return self.convert(normalize.quantity, name, fallback=0)

    def tax_rate(self, name: str) -> list[int | None]:
        """Rates in percent; None where the cell is empty or the column absent."""
        return self.convert(normalize.tax_rate, name, fallback=10)

    def has(self, name: str) -> bool:
        """Whether the file has the column (empty or not)."""
        return name in self._positions

    def ordered_at(self, name: str) -> list[datetime.datetime]:
        values = self.text(name)
        return normalize.parse_japan_times(values) or self.parsed(normalize.parse_datetime, values, name, _NO_TIME)

    def date(self, name: str) -> list[datetime.date | None]:
        return self.convert(normalize.parse_date, name)

    def prefecture(self, name: str) -> list[str]:
        return each(normalize.prefecture, self.text(name))


def _joined(columns: list[list[str]], sep: str) -> list[str]:
    if all(map(all, columns)):
        return list(map(sep.join, zip(*columns)))  # the usual file: every part given, nothing to leave out
    return list(map(sep.join, map(functools.partial(filter, None), zip(*columns))))


def _ascii_digits(values: list[str]) -> bool:
    """Whether every value is ASCII digits or empty: one test of the column put together."""
    text = ''.join(values)
    return text.isascii() and (text.isdigit() or not text)


def each(function: Callable, values: list[str]) -> list:
    """function() of every value, called once per distinct value: a column of fees, quantities or
    dates has a few hundred among 50,000.  For functions of the text alone (normalize's)."""
    results = dict.fromkeys(values)
    for value in results:
        results[value] = function(value)
    return list(map(results.__getitem__, values))


_NO_TIME = datetime.datetime.min.replace(tzinfo=datetime.UTC)


def _required_yen(value: str) -> int:
    amount = normalize.yen(value)
    if amount is None:
        raise ValueError(_l('no price'))
    if amount < 0:
        raise ValueError(_l('a price cannot be negative'))
    return amount


def _fee(value: str) -> int:
    amount = normalize.yen(value)
    if amount is None:
        return 0
    if amount < 0:
        raise ValueError(_l('cannot be negative'))
    return amount


class Collector:
    """The orders of one import; an order with any problem is left out whole and its problems kept."""

    def __init__(self):
        self.result = ParseResult()
        self._seen: dict[str, tuple[str, int]] = {}

    def group(self, filename: str, rows: list[Row], key_column: str) -> dict[str, list[Row]]:
        """Rows by order number, in file order; a row without one is a problem."""
        orders: dict[str, list[Row]] = {}
        keys = map(str.strip, map(Row.get, rows, itertools.repeat(key_column)))
        for key, row in zip(keys, rows):
            if key:
                orders.setdefault(key, []).append(row)
            else:
                self.result.problems.append(RowProblem(filename, row.line, key_column, '', str(_l('no order number'))))
        return orders

    def add(self, filename: str, key: str, line: int, key_column: str, order: OrderRecord,
            problems: Sequence[RowProblem]) -> None:
        """Keep one order, unless reading it found a problem or an earlier file of the import has it."""
        if key in self._seen:
            # two downloads that overlap: the first copy counts, the second must not become a second order
            seen_file, seen_line = self._seen[key]
            problems = [*problems, RowProblem(
                filename, line, key_column, key,
                str(_l('the order is already in %(file)s, line %(line)d; this copy is left out', file=seen_file,
                       line=seen_line)), key)]
        else:
            self._seen[key] = (filename, line)
        if problems:
            self.result.problems.extend(problems)
        else:
            if order.filename != filename:  # the formats give it; replace() copies all thirty fields
                order = dataclasses.replace(order, filename=filename)
            self.result.orders.append(order)

    def add_rows(self, filename: str, key: str, rows: list[Row], key_column: str,
                 build: Callable[[list[Cells]], OrderRecord], columns: Mapping[str, str] | None = None) -> None:
        """Build one order from its rows of one file."""
        problems: list[RowProblem] = []
        order = build([Cells(filename, row, key, problems, columns) for row in rows])
        self.add(filename, key, rows[0].line, key_column, order, problems)
