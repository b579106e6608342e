"""What every export returns, and CSV writing that is safe to open in Excel."""
import csv
import dataclasses
import io
from collections.abc import Iterable, Sequence

from flask_babel import lazy_gettext as _l

from importers.base import FormatError


ENCODINGS = ('utf-8', 'cp932')
FORMULA_START = ('=', '+', '-', '@', '\t', '\r')


@dataclasses.dataclass(frozen=True)
class ExportResult:
    content: bytes
    filename: str
    mimetype: str


def csv_safe(value) -> str:
    """A cell's text, defused when a spreadsheet would read it as a formula (CSV injection).

    Numbers are left alone (a negative adjustment stays -3); text that starts like a formula
    gets a leading apostrophe, which Excel and LibreOffice show as plain text.
    """
    if value is None:
        return ''
    if isinstance(value, bool):
        return '1' if value else '0'
    if isinstance(value, int | float):
        return str(value)
    text = str(value)
    if text.startswith(FORMULA_START):
        return "'" + text
    return text


def write_csv(header: Sequence[str], rows: Iterable[Sequence], *, encoding: str = 'utf-8') -> bytes:
    """CSV bytes: UTF-8 with a BOM (so Excel reads Japanese right) or CP932, CRLF line ends.

    CP932 cannot hold every character (emoji, some rare kanji): such a cell is refused with
    its line and column (FormatError) rather than written as '?'.
    """
    if encoding not in ENCODINGS:
        raise FormatError(_l('Unknown encoding "%(encoding)s": use utf-8 or cp932.', encoding=encoding),
                          field='encoding')
    buffer = io.StringIO(newline='')
    writer = csv.writer(buffer, lineterminator='\r\n')
    writer.writerow(header)
    for line, row in enumerate(rows, start=2):
        cells = [csv_safe(v) for v in row]
        if encoding == 'cp932':
            for column, cell in zip(header, cells, strict=True):
                try:
                    cell.encode('cp932')
                except UnicodeEncodeError as exc:
                    raise FormatError(_l('Line %(line)d, column %(column)s: "%(char)s" cannot be written in CP932; '
                                         'export as UTF-8 instead.', line=line, column=column,
                                         char=cell[exc.start:exc.end]), field='encoding', line=line) from None
        writer.writerow(cells)
    text = buffer.getvalue()
    return text.encode('cp932') if encoding == 'cp932' else '\ufeff'.encode() + text.encode('utf-8')
