"""What the order formats share: reading rows a column at a time with problems recorded, collecting orders."""
import dataclasses
import datetime
import functools
import itertools
import operator
import unicodedata
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence

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


class Columns:
    """Many rows of one file read a column at a time; a value that does not convert becomes a RowProblem
    against its row (file line, column, value, order), kept in ``problems`` by the row's index.

    The one way the order formats read their rows: a file of 50,000 orders has two million cells to
    read, and a pass per column in C costs a fraction of a Python call per cell.  A value that fails
    gives a harmless fallback so the order can still be built: the Collector leaves out every order
    with a problem, so a fallback never reaches the database.
    """

    def __init__(self, filename: str, rows: Sequence[Row], keys: Sequence[str],
                 columns: Mapping[str, str] | None = None):
        """:param columns: field -> header name, for formats read through header_aliases(); without it the
        names read are the headers themselves"""
        self.filename = filename
        #: the file line each row starts on, and the order (or other key) each row belongs to
        self.lines = [row.line for row in rows]
        self.keys = keys
        self._cells = [row.cells for row in rows]
        positions = rows[0].columns if rows else {}
        if columns and positions:
            positions = {field: positions[name] for field, name in columns.items()}
        self._positions = positions
        self._names = columns or {}
        self.problems: dict[int, list[RowProblem]] = {}

    def column(self, name: str) -> str:
        """The file's own name of a column, for messages."""
        return self._names.get(name, name)

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

    def parsed(self, parse: Callable, values: list[str], field: str | Sequence[str], fallback=None,
               skip: Collection[int] = ()) -> list:
        """parse() applied to each value; a ValueError is a problem in `field` (one name, or one per row).

        :param skip: rows whose value is not read: they get the fallback and no problem (the order is left
            out for another reason already, said once)
        """
        try:
            results = each(parse, values)  # the usual file: every value converts
        except ValueError:
            results = []
            for index, value in enumerate(values):
                try:
                    results.append(parse(value))
                except ValueError as exc:
                    if index not in skip:
                        self.problem(index, field if isinstance(field, str) else field[index], value, str(exc))
                    results.append(fallback)
        for index in skip:
            results[index] = fallback
        return results

    def convert(self, parse: Callable, *names: str, fallback=None, skip: Collection[int] = ()) -> list:
        """parse() applied to the columns' value (parts joined by '-'), or the fallback with a problem."""
        values = self.text(names[0]) if len(names) == 1 else self.joined(*names, sep='-')
        return self.parsed(parse, values, '/'.join(map(self.column, names)), fallback, skip)

    def required(self, name: str, message: str = _l('is empty')) -> list[str]:
        """Per row, the column's value; an empty one is a problem."""
        values = self.text(name)
        if not all(values):
            for index, value in enumerate(values):
                if not value:
                    self.problem(index, self.column(name), '', message)
        return values

    def postal_code(self, *names: str) -> list[str]:
        parts = list(map(self.text, names))
        if all(map(_ascii_digits, parts)):
            # digits only in every row: 7 of them together is what normalize.postal_code() would make
            codes = list(map(''.join, zip(*parts)))
            if set(map(len, codes)) == {7}:
                return codes
        return self.parsed(normalize.postal_code, _joined(parts, '-'), '/'.join(map(self.column, names)), fallback='')

    def phone(self, *names: str) -> list[str]:
        parts = list(map(self.text, names))
        if all(map(_ascii_digits, parts)):
            return list(map(''.join, zip(*parts)))  # what normalize.phone() makes of digits: the digits
        return each(normalize.phone, _joined(parts, '-'))

    def yen(self, name: str, skip: Collection[int] = ()) -> list[int | None]:
        """Amounts in yen, None where the cell is empty or the column absent."""
        return self.convert(normalize.yen, name, fallback=0, skip=skip)

    def fee(self, name: str, skip: Collection[int] = ()) -> list[int]:
        """Fees in yen (shipping, cash on delivery) or other amounts that cannot be negative: 0 where the cell
        is empty or the column absent."""
        return self.convert(_fee, name, fallback=0, skip=skip)

    def price(self, *names: str, skip: Collection[int] = ()) -> list[int]:
        """Amounts in yen that must be given, each from the first of the columns that has one."""
        if len(names) == 1:
            return self.convert(_required_yen, names[0], fallback=0, skip=skip)
        values, fields = self.text(names[-1]), [self.column(names[-1])] * len(self)
        for name in reversed(names[:-1]):
            preferred, field = self.text(name), self.column(name)
            fields = [field if value else other for value, other in zip(preferred, fields)]
            values = [value or other for value, other in zip(preferred, values)]
        return self.parsed(_required_yen, values, fields, fallback=0, skip=skip)

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
        return normalize.parse_japan_times(values) or self.parsed(normalize.parse_datetime, values, self.column(name),
                                                                        _NO_TIME)

    def date(self, name: str) -> list[datetime.date | None]:
        return self.convert(normalize.parse_date, name)

    def prefecture(self, name: str) -> list[str]:
        return each(normalize.prefecture, self.text(name))

    def all_problems(self) -> Iterator[RowProblem]:
        return itertools.chain.from_iterable(self.problems.values())


class OrderRows:
    """The orders of one file, each a group of rows, read a column at a time.

    ``head`` reads each order's first row (where the formats put, or repeat, the order's columns),
    ``items`` every row (one per order line); ``per_order()`` gathers a column of ``items`` by order.
    """

    def __init__(self, filename: str, groups: Mapping[str, Sequence[Row]], columns: Mapping[str, str] | None = None):
        self.filename = filename
        self.keys = list(groups)
        self._groups = groups
        self._columns = columns
        self.head = Columns(filename, [group[0] for group in groups.values()], self.keys, columns)
        #: where each order's rows start among ``items``, and where the last ends
        self.starts = list(itertools.accumulate(map(len, groups.values()), initial=0))

    def __len__(self) -> int:
        return len(self.keys)

    @functools.cached_property
    def items(self) -> Columns:
        return Columns(self.filename, list(itertools.chain.from_iterable(self._groups.values())),
                       [key for key, group in self._groups.items() for _ in group], self._columns)

    def item_rows(self) -> list[range]:
        """Each order's rows among ``items``."""
        return list(map(range, self.starts, self.starts[1:]))

    def per_order(self, values: Sequence) -> list[list]:
        """A value per row of ``items``, as a list per order."""
        return list(map(values.__getitem__, map(slice, self.starts, self.starts[1:])))

    def rows_of(self, orders: Iterable[bool]) -> set[int]:
        """The rows of ``items`` that belong to the orders flagged."""
        return {row for rows, flagged in zip(self.item_rows(), orders) if flagged for row in rows}

    def problems(self) -> Iterator[RowProblem]:
        """What reading the rows found, of every order."""
        found = self.head.all_problems()
        if 'items' not in self.__dict__:  # never read (Yahoo!'s orders file): nothing found there
            return found
        return itertools.chain(found, self.items.all_problems())


def foreign_currency(columns: Columns, name: str, rows_of_orders: Sequence[range] | None = None) -> list[bool]:
    """Per order, whether it is in a currency other than yen: then one problem on its first such row.

    The caller then reads none of the order's prices, so a file in dollars gives one message per order,
    not one per price cell, and 12.00 dollars is never read as 12 yen.
    :param rows_of_orders: the rows of each order among `columns`; by default each row is an order
    """
    values = columns.text(name)
    foreign = [bool(value) and value.upper() != 'JPY' for value in values]
    if rows_of_orders is None:
        rows_of_orders = [range(row, row + 1) for row in range(len(values))]
    if not any(foreign):
        return [False] * len(rows_of_orders)
    result = []
    for rows in rows_of_orders:
        first = next((row for row in rows if foreign[row]), None)
        if first is not None:
            columns.problem(first, columns.column(name), values[first],
                            _l('the order is in %(currency)s, not yen (JPY): Kura imports yen orders only, so none '
                               'of its prices is read', currency=values[first]))
        result.append(first is not None)
    return result


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

    def add_orders(self, orders: OrderRows, key_column: str, records: Iterable[OrderRecord],
                   problems: Iterable[RowProblem] = ()) -> None:
        """Keep the orders of one file (built in the order of ``orders.keys``) but those with a problem.

        :param problems: found beyond reading the rows of `orders` (Yahoo's items file)
        """
        by_key: dict[str, list[RowProblem]] = {}
        for problem in itertools.chain(orders.problems(), problems):
            by_key.setdefault(problem.key, []).append(problem)
        for found in by_key.values():
            # the order's own file first, then by line
            found.sort(key=lambda problem: (problem.filename != orders.filename, problem.line))
        for key, line, order in zip(orders.keys, orders.head.lines, records, strict=True):
            self.add(orders.filename, key, line, key_column, order, by_key.get(key, ()))
