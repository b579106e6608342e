"""Shared reading of the files Kura imports: decoding, CSV rows with file line numbers, problems.

Every importer turns bytes into plain records and reports problems against the file's own line
numbers, so a clerk can open the file and find the row.  Nothing here touches the database.
"""
import collections
import csv
import dataclasses
import datetime
import io
import operator
import re
import unicodedata
from collections.abc import Collection, Iterator, Sequence
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l


#: Japan time, of the files' dates and times, the labels and reports, and "a day" (times are stored in UTC)
JST = ZoneInfo('Asia/Tokyo')
#: the days a file, a form or a URL may name: a day and its neighbours, at any hour in any zone, stay within
#: what Python's datetime and both databases hold (0001-01-01 00:00 in Japan is not a time in UTC)
FIRST_DAY, LAST_DAY = datetime.date(1900, 1, 1), datetime.date(9998, 12, 31)
UTF8_BOM = b'\xef\xbb\xbf'
# Python's cp932 codec decodes the single bytes 0x80, 0xA0 and 0xFD-0xFF, which no Windows text holds, to
# U+0080 and private-use U+F8F0-U+F8F3: a file with them is binary or UTF-16 (Excel's "Unicode text")
_NOT_CP932_CHARACTERS = '\x80\uf8f0\uf8f1\uf8f2\uf8f3'
_NOT_CP932 = re.compile(f'[{_NOT_CP932_CHARACTERS}]')


class FileRefused(Exception):
    """The file cannot be read as its format at all; nothing of it is imported."""

    def __init__(self, filename: str, message: str):
        message = str(message)  # a lazy text becomes the language of whoever is importing, once
        super().__init__(f'{filename}: {message}')
        self.filename = filename
        self.message = message


class FormatError(ValueError):
    """A value that its file's format does not allow, read or written; the message names the field.

    Format code raises it and knows nothing of Kura's ``UserError``: the service that called the
    format code turns it into one (``app.errors.as_user_errors``), so screens, the CLI and jobs show
    the same message.

    :param message: a (lazy) translated message for the person at the screen or terminal
    :param field: the column (or, writing, the setting) the message is about, when there is one
    :param line: the file line, when the code raising it knows it
    """

    def __init__(self, message, field: str | None = None, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.line = line

    def __str__(self):
        return str(self.message)


def not_csv(filename: str, line: int, error: csv.Error) -> FileRefused:
    return FileRefused(filename, _l('line %(line)d is not valid CSV: %(error)s', line=line, error=error))


def missing_columns(filename: str, names: str) -> FileRefused:
    return FileRefused(filename, _l('required column missing from the header: %(columns)s', columns=names))


@dataclasses.dataclass(frozen=True)
class RowProblem:
    """One problem in one row of a file: which line, which field, what value and why."""

    filename: str
    line: int
    field: str
    value: str
    message: str
    #: the order (or product, or SKU) the row belongs to, where the format has one
    key: str = ''

    def as_dict(self) -> dict:
        """The problem as stored with an import batch and shown on its page (JSON: plain values, str message)."""
        return {'file': self.filename, 'line': self.line, 'order': self.key, 'field': self.field,
                'value': self.value, 'message': str(self.message)}

    def __str__(self):
        where = f'{self.filename}, line {self.line}'
        if self.field:
            where += f', {self.field}'
        shown = f' ({self.value!r})' if self.value else ''
        return f'{where}{shown}: {self.message}'


class ColumnNotKept(LookupError):
    """A column the file has was read, but read_rows() was told not to keep it: a mistake in Kura, not the file."""


class Row:
    """One CSV record: its first physical line in the file and its values by header name.

    The cells stay a sequence and share the file's header positions: a dict per row costs more than
    the rest of reading a file of 80,000 rows.
    """

    __slots__ = ('line', 'cells', 'columns')

    def __init__(self, line: int, cells: Sequence[str], columns: dict[str, int | None]):
        self.line = line
        self.cells = cells
        #: header name -> position in cells, shared by every row of the file; None for a column not kept
        self.columns = columns

    def get(self, name: str, default: str = '') -> str:
        position = self.columns.get(name)
        if position is None:
            return not_kept(self.columns, name) or default
        return self.cells[position]

    def has(self, name: str) -> bool:
        """Whether the file has the column (the cell may still be empty)."""
        return name in self.columns

    def __repr__(self):
        return f'Row(line={self.line}, cells={self.cells!r})'


def not_kept(columns: dict[str, int | None], name: str) -> str:
    """'' for a column the file does not have; ColumnNotKept for one it has that was dropped on reading."""
    if name in columns:
        raise ColumnNotKept(f'column {name!r} was read but not kept: add it to the columns given to read_rows()')
    return ''


def decode(data: bytes, filename: str) -> str:
    """Decode UTF-8 (with or without BOM) or CP932, or refuse the file naming where it breaks.

    CP932 and never ``shift_jis``: the Windows code page has 髙, 﨑, ①, ㈱ and ～, which
    mall files are full of and ``shift_jis`` rejects or maps wrongly.
    """
    if data.startswith(UTF8_BOM):
        try:
            return data[len(UTF8_BOM):].decode('utf-8')
        except UnicodeDecodeError as exc:
            message = _encoding_message(_l('UTF-8 (it starts with a BOM)'), data, exc.start + len(UTF8_BOM))
            raise FileRefused(filename, message) from None
    try:
        return data.decode('utf-8')
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode('cp932')
        except UnicodeDecodeError as cp932_error:
            # report whichever reading got further: that is the encoding the file most likely is
            if utf8_error.start >= cp932_error.start:
                raise FileRefused(filename, _encoding_message('UTF-8', data, utf8_error.start)) from None
            raise FileRefused(filename, _encoding_message('CP932 (Shift_JIS)', data, cp932_error.start)) from None
        # a scan per character (str.find) before the regex that says where: a clean file costs only the scans
        bad = any(c in text for c in _NOT_CP932_CHARACTERS) and _NOT_CP932.search(text)
        if bad:
            offset = len(text[:bad.start()].encode('cp932'))
            raise FileRefused(filename, _encoding_message('CP932 (Shift_JIS)', data, offset)) from None
        return text


def _encoding_message(encoding: str, data: bytes, offset: int) -> str:
    line = data.count(b'\n', 0, offset) + 1
    bad = data[offset:offset + 4].hex(' ')
    return _l('cannot be decoded as UTF-8 or CP932 (Shift_JIS): read as %(encoding)s, the bytes %(bytes)s '
              'at byte offset %(offset)d (line %(line)d) are not valid; save the file as UTF-8 or CP932',
              encoding=encoding, bytes=bad, offset=offset, line=line)


def sniff_delimiter(text: str) -> str:
    """Tab when the header line has tabs and no more commas than tabs, else comma."""
    header = text.split('\n', 1)[0]
    return '\t' if header.count('\t') > header.count(',') else ','


def read_rows(data: bytes, filename: str, *, required: tuple[str, ...] = (), delimiter: str | None = None,
              quoting: int = csv.QUOTE_MINIMAL, columns: Collection[str] | None = None) -> tuple[list[str], list[Row]]:
    """Read a CSV/TSV file with a header row into rows keyed by header name, all values text.

    Line ends inside a quoted value are '\\n', whatever the file's own line ends are.

    Refuses the whole file when it is empty, has a header only, is not CSV, or lacks a required
    column.  Extra and reordered columns are fine: everything is read by name.  ``quoting`` is
    ``csv.QUOTE_NONE`` for formats that never quote (Amazon's tab-separated reports), where a
    value may itself start with a double quote.  ``columns`` names the columns to keep, for a format
    that reads a few of many: a Rakuten download has 109, and its rows take much less memory and are
    read faster without the 70 nobody reads (docs/benchmarks.md, "Figures behind choices in the
    code").  Reading a column that was not kept raises ColumnNotKept.
    :return: the header names and the data rows, each with the file line it starts on.
    """
    text = decode(data, filename)
    if not text.strip():
        raise FileRefused(filename, _l('the file is empty'))
    delimiter = delimiter or sniff_delimiter(text)
    if '\r' in text:
        # Windows line ends, inside quoted values too, become '\n' once here rather than value by value
        text = text.replace('\r\n', '\n')
    reader = csv.reader(io.StringIO(text, newline=''), delimiter=delimiter, quoting=quoting,
                        strict=quoting != csv.QUOTE_NONE)
    try:
        header = [h.strip() for h in next(reader)]
    except csv.Error as exc:
        raise not_csv(filename, 1, exc) from None
    if len(header) < 2 and not required:
        raise FileRefused(filename, _l('the first line is not a CSV header (it has a single column)'))
    present = set(header)
    missing = [name for name in required if name not in present]
    if missing:
        raise missing_columns(filename, ', '.join(missing))
    duplicated = sorted(h for h, n in collections.Counter(header).items() if h and n > 1)   # linear in the width
    if duplicated:
        raise FileRefused(filename, _l('column named twice in the header: %(columns)s', columns=', '.join(duplicated)))
    rows = list(_records(reader, header, filename, columns))
    if not rows:
        raise FileRefused(filename, _l('the file has a header but no data rows'))
    return header, rows


def _records(reader, header: list[str], filename: str, keep: Collection[str] | None) -> Iterator[Row]:
    columns: dict[str, int | None] = {name: position for position, name in enumerate(header)}
    project = None
    if keep is not None:
        kept = [position for position, name in enumerate(header) if name in keep]
        columns = dict.fromkeys(header) | {header[position]: index for index, position in enumerate(kept)}
        project = operator.itemgetter(*kept) if len(kept) > 1 else _projection_of_few(kept)
    next_line = reader.line_num + 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise not_csv(filename, next_line, exc) from None
        start, next_line = next_line, reader.line_num + 1
        if not (record and record[0].strip()) and not any(cell.strip() for cell in record):
            continue  # blank lines, often trailing ones, carry nothing
        if len(record) > len(header) and any(cell.strip() for cell in record[len(header):]):
            raise FileRefused(filename, _l('line %(line)d has %(fields)d fields but the header has %(columns)d',
                                             line=start, fields=len(record), columns=len(header)))
        if len(record) < len(header):
            record += [''] * (len(header) - len(record))  # a short row's missing cells are empty
        yield Row(start, record if project is None else project(record), columns)


def _projection_of_few(kept: list[int]):
    # itemgetter of one position returns the value itself, and of none cannot be made
    if kept:
        position = kept[0]
        return lambda record: (record[position],)
    return lambda record: ()


def strip_formula_guard(value: str) -> str:
    """Undo the apostrophe Kura's exports put before text that starts like a formula (exporters.base.csv_safe)."""
    if len(value) > 1 and value[0] == "'" and value[1] in '=+-@\t\r':
        return value[1:]
    return value


def normalize_digits(value: str) -> str:
    """Full-width digits, hyphens and spaces to ASCII (NFKC), keeping every leading zero."""
    if value.isascii():
        return value.strip()  # NFKC leaves ASCII as it is, and every dash below is beyond it
    value = unicodedata.normalize('NFKC', value).strip()
    for dash in '‐‑‒–—―−ー－':
        value = value.replace(dash, '-')
    return value
