"""Reports a manager hands on: one writer for their CSV and XLSX.

A report is a list of `Sheet`s, each with typed `Column`s.  The column's kind decides how a cell is
written: yen and counts as numbers with thousands separators, times as Japan-time dates Excel can
sort and filter, codes (channel, carrier, status) as the names the caller passes in.  Headers are
lazy strings, so the file speaks the reader's language (Japanese unless the user chose English).
The machine exports (orders, stock, products) keep their own fixed layouts and do not come here.
"""
import dataclasses
import datetime as dt
import io
import unicodedata
from collections.abc import Mapping, Sequence

from flask_babel import lazy_gettext as _l

from exporters.base import ExportResult, csv_safe, write_csv
from importers.base import JST


XLSX_MIMETYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet'

#: how each kind of column is shown in Excel
NUMBER_FORMATS = {
    'text': '@',
    'int': '#,##0',
    'yen': '"¥"#,##0',
    'decimal': '#,##0.0',
    'percent': '0.0%',
    'date': 'yyyy-mm-dd',
    'datetime': 'yyyy-mm-dd hh:mm',
}
#: Excel's widest useful column, in characters
MAX_WIDTH = 50


@dataclasses.dataclass(frozen=True)
class Column:
    """One column: its header, the kind of value it holds and, for codes, the names to show."""

    title: object
    kind: str = 'text'
    #: code -> name; a code missing here is shown as it is
    names: Mapping | None = None

    def __post_init__(self):
        if self.kind not in NUMBER_FORMATS:
            raise ValueError(f'unknown column kind {self.kind!r}')

    def cell(self, value):
        """The value as the workbook holds it: text named, times in Japan time without a zone."""
        if value is None:
            return None
        if self.names is not None:
            return str(self.names.get(value, value))
        if self.kind == 'datetime' and isinstance(value, dt.datetime):
            return value.astimezone(JST).replace(tzinfo=None, microsecond=0)
        if self.kind == 'text':
            return str(value)
        return value

    def text(self, value) -> object:
        """The value as a CSV cell: times written out in Japan time, numbers left alone."""
        value = self.cell(value)
        if isinstance(value, dt.datetime):
            return value.strftime('%Y-%m-%d %H:%M:%S')
        if isinstance(value, dt.date):
            return value.isoformat()
        if self.kind == 'percent' and value is not None:
            return round(value * 100, 1)
        return value


@dataclasses.dataclass(frozen=True)
class Sheet:
    name: str
    columns: Sequence[Column]
    rows: Sequence[Sequence]


def write_report_csv(sheet: Sheet, *, encoding: str = 'utf-8') -> bytes:
    """One sheet as CSV (UTF-8 with BOM or CP932), headers in the reader's language, codes as names."""
    header = [str(c.title) for c in sheet.columns]
    return write_csv(header, ([c.text(v) for c, v in zip(sheet.columns, row, strict=True)] for row in sheet.rows),
                     encoding=encoding)


def _width(value) -> int:
    if value is None:
        return 0
    if isinstance(value, dt.datetime):
        return 16
    if isinstance(value, dt.date):
        return 10
    if isinstance(value, int | float):
        return len(f'{value:,.1f}') + 2
    # a full-width character takes two columns
    return sum(2 if unicodedata.east_asian_width(ch) in 'WF' else 1 for ch in str(value))


def write_report_xlsx(sheets: Sequence[Sheet], *, title: str, period: str, made_at: dt.datetime) -> bytes:
    """An XLSX workbook: per sheet a title row (report, period, when made), a frozen header with a filter,
    typed cells with number formats and widths fitted to the content."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill
    from openpyxl.utils import get_column_letter

    book = Workbook()
    book.remove(book.active)
    made = made_at.astimezone(JST).strftime('%Y-%m-%d %H:%M')
    heading = str(_l('%(title)s — period: %(period)s — made %(made)s JST', title=title, period=period, made=made))
    bold = Font(bold=True)
    fill = PatternFill('solid', fgColor='DDEBF7')
    for sheet_spec in sheets:
        sheet = book.create_sheet(sheet_spec.name[:31])
        sheet.append([heading])
        sheet['A1'].font = Font(bold=True, size=12)
        sheet.append([str(c.title) for c in sheet_spec.columns])
        for cell in sheet[2]:
            cell.font, cell.fill = bold, fill
        widths = [_width(str(c.title)) for c in sheet_spec.columns]
        for row in sheet_spec.rows:
            values = []
            for i, (column, value) in enumerate(zip(sheet_spec.columns, row, strict=True)):
                value = column.cell(value)
                if isinstance(value, str):
                    value = csv_safe(value)
                values.append(value)
                widths[i] = max(widths[i], _width(value))
            sheet.append(values)
        for i, column in enumerate(sheet_spec.columns, start=1):
            letter = get_column_letter(i)
            sheet.column_dimensions[letter].width = min(MAX_WIDTH, widths[i - 1] + 2)
            for (cell,) in sheet.iter_rows(min_row=3, min_col=i, max_col=i):
                cell.number_format = NUMBER_FORMATS[column.kind]
        sheet.freeze_panes = 'A3'
        last = get_column_letter(max(1, len(sheet_spec.columns)))
        sheet.auto_filter.ref = f'A2:{last}{max(2, len(sheet_spec.rows) + 2)}'
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def write_report(sheets: Sequence[Sheet], *, format: str, filename: str, title: str, period: str,  # noqa: A002
                 made_at: dt.datetime, encoding: str = 'utf-8') -> ExportResult:
    """The report as CSV (its first sheet) or XLSX (every sheet); `filename` without its extension."""
    if format == 'csv':
        return ExportResult(write_report_csv(sheets[0], encoding=encoding), f'{filename}.csv', 'text/csv')
    if format == 'xlsx':
        return ExportResult(write_report_xlsx(sheets, title=title, period=period, made_at=made_at),
                            f'{filename}.xlsx', XLSX_MIMETYPE)
    raise ValueError(f'format must be csv or xlsx, not {format!r}')
