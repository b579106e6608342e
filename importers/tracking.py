"""Tracking numbers back from the carriers' issued-data files, and their reconciliation with Kura's orders.

``TRACKING_IMPORTS`` names a reader per carrier: ``fn(data: bytes, filename: str) -> TrackingFile``.
Each reads the file the carrier's software exports after printing labels, pairing Kura's order
number (which exporters.carriers wrote as the management number) with the tracking number:

- **yamato**, two layouts, told apart by the first row's width:
  - B2 Cloud's 発行済データ export: the import layout again (formats.md §6a [V]), column 1
    お客様管理番号 and column 4 伝票番号; the header row is optional.
  - A 2-column upload ``注文番号,送り状番号`` (R4 accepts one like it); header optional.
- **sagawa**: e飛伝III's export, with a header, starting ``お問合せ送り状No,出荷日時,…`` [S: R2
  NewSagawaVO].  Columns are found by name: お問合せ送り状No (or お問い合せ送り状No.) and
  お客様管理ナンバー (or お客様管理番号), where exporters.carriers.sagawa wrote Kura's order number.  R2
  matches on お届け先名称２ instead because it stores the order number there; Kura does not.
- **japanpost**: ゆうプリR's 発送履歴 export (not 発送予定) with a user-defined layout that has a header
  and the columns お客様側管理番号 and お問い合わせ番号 [S: a real PoC file, formats.md §6c].
- **clickpost**: Click Post has no documented export [I].  Kura accepts a plain CSV ``注文番号,
  お問い合わせ番号`` (header optional; also 注文番号,送り状番号), e.g. typed or copied from Click Post's
  申込履歴.

A file that cannot be read as its format is refused whole (FileRefused: the file and why).  A row
without an order number, or whose tracking number is not 12 digits once hyphens and spaces are
removed, is a RowProblem (file line, column, value) and not a record.  Blank lines are skipped.
Every other row is a TrackingRecord, whatever its check digit: reconcile() sorts them.

Why a row is refused and each reconciled row's note are text in the language of whoever imports the
file, made once when the file is read (as importers.base.FileRefused does).
"""
import csv
import dataclasses
import io
import re
import unicodedata
from collections.abc import Iterable, Mapping

from flask_babel import lazy_gettext as _l

from importers.base import FileRefused, RowProblem, decode, not_csv, strip_formula_guard
from importers.codes import code_text, is_tracking_number, tracking_check_digit


#: whether the carrier's tracking numbers end in the mod-7 check digit (formats.md §7): Yamato, Sagawa
#: and ゆうパック do [V]; Click Post numbers are 12 digits too, but no source says they follow the rule
CHECK_DIGIT = {'yamato': True, 'sagawa': True, 'japanpost': True, 'clickpost': False}
_SCIENTIFIC = re.compile(r'^\d(\.\d+)?E\+\d+$', re.IGNORECASE)


@dataclasses.dataclass(frozen=True)
class TrackingRecord:
    """One row of a carrier's file: which order got which tracking number."""

    #: file line the row starts on
    line: int
    order_number: str
    #: 12 ASCII digits, hyphens removed
    tracking_number: str


@dataclasses.dataclass
class TrackingFile:
    """What a carrier's file holds: a record per readable row, a problem per row that is not."""

    carrier: str
    filename: str
    records: list[TrackingRecord] = dataclasses.field(default_factory=list)
    problems: list[RowProblem] = dataclasses.field(default_factory=list)

    def reconcile(self, known_orders: Mapping[str, str | None], existing_tracking: Iterable[str]) -> 'Reconciliation':
        """reconcile() with this carrier's check-digit rule."""
        return reconcile(self.records, known_orders, existing_tracking, check_digit=CHECK_DIGIT[self.carrier])


# ------------------------------------------------------------------------------------------------ reading

def _clean_text(value: str) -> str:
    return unicodedata.normalize('NFKC', strip_formula_guard(value.strip())).strip()


def _tracking(value: str) -> tuple[str, str]:
    """The tracking number as 12 digits, or '' and why not."""
    digits = code_text(value).lstrip("'")
    if not digits:
        return '', str(_l('no tracking number (the label may not have been issued)'))
    if _SCIENTIFIC.match(digits):
        return '', str(_l('a spreadsheet turned the number into scientific notation and lost digits; '
                          're-export it as text'))
    if not (digits.isascii() and digits.isdigit()):
        return '', str(_l('a tracking number has digits only'))
    if len(digits) != 12:
        return '', str(_l('a tracking number has 12 digits, not %(n)d', n=len(digits)))
    return digits, ''


class _Reader:
    def __init__(self, carrier: str, filename: str, order_column: str, tracking_column: str):
        self.file = TrackingFile(carrier, filename)
        self.order_column = order_column
        self.tracking_column = tracking_column

    def add(self, line: int, order_value: str, tracking_value: str) -> None:
        order_number = _clean_text(order_value)
        tracking, why = _tracking(tracking_value)
        filename = self.file.filename
        if not order_number:
            self.file.problems.append(RowProblem(filename, line, self.order_column, order_value.strip(),
                                                 str(_l('no order number: the label was not made from a Kura '
                                                        'export')),
                                                 key=tracking or tracking_value.strip()))
        elif why:
            self.file.problems.append(RowProblem(filename, line, self.tracking_column, tracking_value.strip(), why,
                                                 key=order_number))
        else:
            self.file.records.append(TrackingRecord(line, order_number, tracking))


def _rows(data: bytes, filename: str) -> list[tuple[int, list[str]]]:
    """Every non-blank CSV record of the file with the file line it starts on; FileRefused when unreadable."""
    text = decode(data, filename)
    if not text.strip():
        raise FileRefused(filename, _l('the file is empty'))
    if '\x00' in text:
        raise FileRefused(filename, _l('the file is binary, not CSV (save it as CSV)'))
    reader = csv.reader(io.StringIO(text, newline=''), strict=True)
    rows = []
    next_line = 1
    while True:
        try:
            record = next(reader)
        except StopIteration:
            return rows
        except csv.Error as exc:
            raise not_csv(filename, next_line, exc) from None
        start, next_line = next_line, reader.line_num + 1
        if any(cell.strip() for cell in record):
            rows.append((start, record))


def _key(name: str) -> str:
    """A column name compared loosely: NFKC, case-insensitive, without spaces, dots and middle dots."""
    return re.sub(r'[\s.．・]', '', unicodedata.normalize('NFKC', name)).lower()


def _is_header(cells: list[str], order_index: int, tracking_index: int) -> bool:
    """A header row where a data row would be: text without digits both where the order and the tracking number go.

    A data row always has digits in one of them (Kura's order numbers have digits), so a first row like
    "K00000123,未発行" stays a data row and is reported, not skipped.
    """
    def wordy(cell: str) -> bool:
        text = _clean_text(cell)
        return bool(text) and not any(c.isdigit() for c in text)

    return wordy(_cell(cells, order_index)) and wordy(_cell(cells, tracking_index))


def _find(header: list[str], names: tuple[str, ...]) -> int | None:
    keys = [_key(h) for h in header]
    for name in names:
        if _key(name) in keys:
            return keys.index(_key(name))
    return None


def _width(cells: list[str]) -> int:
    """How many columns the row uses: trailing empty cells (a spreadsheet's stray commas) do not count."""
    while cells and not cells[-1].strip():
        cells = cells[:-1]
    return len(cells)


def _cell(cells: list[str], index: int) -> str:
    return cells[index] if index < len(cells) else ''


def _read(carrier: str, filename: str, rows: list[tuple[int, list[str]]], *, order_index: int,
          tracking_index: int, order_column: str, tracking_column: str) -> TrackingFile:
    """Records from a file whose order and tracking numbers are at fixed positions; the header is optional."""
    if not rows:
        raise FileRefused(filename, _l('the file is empty'))
    if _is_header(rows[0][1], order_index, tracking_index):
        rows = rows[1:]
        if not rows:
            raise FileRefused(filename, _l('the file has a header but no data rows'))
    reader = _Reader(carrier, filename, order_column, tracking_column)
    for line, cells in rows:
        reader.add(line, _cell(cells, order_index), _cell(cells, tracking_index))
    return reader.file


def _two_columns(carrier: str, filename: str, rows: list[tuple[int, list[str]]], order_names: tuple[str, ...],
                 tracking_names: tuple[str, ...]) -> TrackingFile:
    """注文番号,送り状番号: columns 1 and 2, or wherever a header row names them."""
    order_index, tracking_index = 0, 1
    if rows:
        found_order, found_tracking = _find(rows[0][1], order_names), _find(rows[0][1], tracking_names)
        if found_order is not None and found_tracking is not None:
            order_index, tracking_index = found_order, found_tracking
    return _read(carrier, filename, rows, order_index=order_index, tracking_index=tracking_index,
                 order_column=order_names[0], tracking_column=tracking_names[0])


def _by_name(carrier: str, filename: str, rows: list[tuple[int, list[str]]], order_names: tuple[str, ...],
             tracking_names: tuple[str, ...]) -> TrackingFile:
    """A file with a header row: the two columns found by name, anywhere in the row."""
    if not rows:
        raise FileRefused(filename, _l('the file is empty'))
    (_, header), data_rows = rows[0], rows[1:]
    order_index, tracking_index = _find(header, order_names), _find(header, tracking_names)
    missing = [names[0] for names, index in ((order_names, order_index), (tracking_names, tracking_index))
               if index is None]
    if missing:
        if len(missing) == 2:
            raise FileRefused(filename, _l('not the expected export: its first line has no column %(first)s or '
                                           '%(second)s (the header row is required)', first=missing[0],
                                           second=missing[1]))
        raise FileRefused(filename, _l('not the expected export: its first line has no column %(column)s '
                                       '(the header row is required)', column=missing[0]))
    if not data_rows:
        raise FileRefused(filename, _l('the file has a header but no data rows'))
    reader = _Reader(carrier, filename, header[order_index].strip(), header[tracking_index].strip())
    for line, cells in data_rows:
        if len(cells) > len(header) and any(c.strip() for c in cells[len(header):]):
            raise FileRefused(filename, _l('line %(line)d has %(fields)d fields but the header has %(columns)d',
                                             line=line, fields=len(cells), columns=len(header)))
        reader.add(line, _cell(cells, order_index), _cell(cells, tracking_index))
    return reader.file


ORDER_NAMES = ('注文番号', 'お客様管理番号', '受注番号', 'order_number')
TRACKING_NAMES = ('送り状番号', '伝票番号', 'お問い合わせ番号', 'お問合せ番号', 'tracking_number')
#: B2 Cloud's 発行済データ: at least this many columns (the import layout), else the 2-column upload
B2_MIN_COLUMNS = 4


def read_yamato(data: bytes, filename: str) -> TrackingFile:
    """B2 Cloud's 発行済データ (column 1 → column 4) or a 2-column 注文番号,送り状番号 upload."""
    rows = _rows(data, filename)
    if rows and _width(rows[0][1]) >= B2_MIN_COLUMNS:
        return _read('yamato', filename, rows, order_index=0, tracking_index=3, order_column='お客様管理番号',
                     tracking_column='伝票番号')
    return _two_columns('yamato', filename, rows, ORDER_NAMES, TRACKING_NAMES)


def read_sagawa(data: bytes, filename: str) -> TrackingFile:
    """e飛伝III's export: お問合せ送り状No and お客様管理ナンバー, found by name in the header."""
    return _by_name('sagawa', filename, _rows(data, filename), ('お客様管理ナンバー', 'お客様管理番号'),
                    ('お問合せ送り状No', 'お問い合せ送り状No', 'お問い合わせ送り状No', '送り状No'))


def read_japanpost(data: bytes, filename: str) -> TrackingFile:
    """ゆうプリR's 発送履歴 export: お客様側管理番号 and お問い合わせ番号, found by name in the header."""
    return _by_name('japanpost', filename, _rows(data, filename), ('お客様側管理番号',),
                    ('お問い合わせ番号', 'お問合せ番号', '問い合わせ番号'))


def read_clickpost(data: bytes, filename: str) -> TrackingFile:
    """Kura's Click Post CSV: 注文番号,お問い合わせ番号 (header optional)."""
    return _two_columns('clickpost', filename, _rows(data, filename), ORDER_NAMES,
                        ('お問い合わせ番号', *TRACKING_NAMES))


TRACKING_IMPORTS = {
    'yamato': read_yamato,
    'sagawa': read_sagawa,
    'japanpost': read_japanpost,
    'clickpost': read_clickpost,
}


# -------------------------------------------------------------------------------------------- reconciling

@dataclasses.dataclass(frozen=True)
class ReconciledRow:
    line: int
    order_number: str
    tracking_number: str
    #: why the row is in its list, for the clerk ('also on line 3', 'the order already has …')
    note: str = ''


@dataclasses.dataclass
class Reconciliation:
    """Every record of a file in exactly one list."""

    #: the order has no tracking number yet: set this one
    matched: list[ReconciledRow] = dataclasses.field(default_factory=list)
    #: the order already has exactly this number (a file imported twice): nothing to do
    unchanged: list[ReconciledRow] = dataclasses.field(default_factory=list)
    #: no order with this number (in this shop)
    unknown_order: list[ReconciledRow] = dataclasses.field(default_factory=list)
    #: the number is twice in the file, or already another order's
    duplicate: list[ReconciledRow] = dataclasses.field(default_factory=list)
    #: the last digit is not the first eleven mod 7: mistyped or not this carrier's number
    bad_check_digit: list[ReconciledRow] = dataclasses.field(default_factory=list)
    #: the order already has a different number (from Kura, or from an earlier row of this file)
    already_set: list[ReconciledRow] = dataclasses.field(default_factory=list)

    LISTS = ('matched', 'unchanged', 'unknown_order', 'duplicate', 'bad_check_digit', 'already_set')

    @property
    def count(self) -> int:
        return sum(len(getattr(self, name)) for name in self.LISTS)

    def as_dict(self) -> dict:
        return {name: [dataclasses.asdict(row) for row in getattr(self, name)] for name in self.LISTS}


def reconcile(records: Iterable[TrackingRecord], known_orders: Mapping[str, str | None],
              existing_tracking: Iterable[str], *, check_digit: bool = True) -> Reconciliation:
    """Sort a file's records against Kura's orders; every record lands in exactly one list.

    :param known_orders: Kura order number -> its current tracking number, or None
    :param existing_tracking: every tracking number any order already has
    :param check_digit: False for carriers whose numbers do not follow mod 7 (Click Post, see CHECK_DIGIT)

    Checked in this order: the check digit, the same number earlier in the file, the order being
    known, the order already having this very number (unchanged), the number belonging to another
    order, the order already having (or having just been given) another number.
    """
    result = Reconciliation()
    current = {order: code_text(number) or None for order, number in known_orders.items()}
    existing = {code_text(number) for number in existing_tracking}
    first_line: dict[str, int] = {}
    given: dict[str, ReconciledRow] = {}
    for record in records:
        number = code_text(record.tracking_number)
        order = record.order_number
        note = ''
        if check_digit and not is_tracking_number(number):
            name = 'bad_check_digit'
            expected = _expected_digit(number)
            note = (_l('the last digit should be %(digit)s', digit=expected) if expected
                    else _l('not 12 digits'))
        elif number in first_line:
            name, note = 'duplicate', _l('the same number is on line %(line)d', line=first_line[number])
        elif order not in known_orders:
            name, note = 'unknown_order', _l('no such order')
        elif current[order] == number:
            name, note = 'unchanged', _l('the order already has this number')
        elif number in existing:
            name, note = 'duplicate', _l('already the tracking number of another order')
        elif order in given:
            name = 'already_set'
            note = _l('line %(line)d already gives this order %(number)s', line=given[order].line,
                      number=given[order].tracking_number)
        elif current[order]:
            name, note = 'already_set', _l('the order already has %(number)s', number=current[order])
        else:
            name = 'matched'
        row = ReconciledRow(record.line, order, number, str(note))
        getattr(result, name).append(row)
        if name == 'matched':
            given[order] = row
        first_line.setdefault(number, record.line)
    return result


def _expected_digit(number: str) -> str:
    if len(number) == 12 and number.isascii() and number.isdigit():
        return str(tracking_check_digit(number[:11]))
    return ''
