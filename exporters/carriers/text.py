"""Text for the carriers' label software: CP932 characters, byte-counted widths, positional CSV.

The carriers' importers count field widths in Shift_JIS bytes ("全角16文字/半角32文字"), so every
limit here is a CP932 byte count: a full-width character is 2 bytes, ASCII and half-width katakana 1.
Values are cut at character boundaries, never inside a character.

Nothing is replaced silently.  Each character the target cannot hold is substituted (a known
variant, or the NFKC form, or '〓' as a last resort) and reported as a warning naming the order,
the field and the character.  Only two spellings of the same Shift_JIS character are unified without
a warning: EM DASH (U+2014) becomes HORIZONTAL BAR (U+2015, CP932 0x815C) and a no-break space a
space.  Python's cp932 codec already writes WAVE DASH (U+301C) and its siblings as their CP932 code.
Line breaks and tabs inside a value become spaces (a label line cannot hold them), runs of spaces one
space, and leading and trailing spaces go.

Unlike exporters.base.write_csv, cells get no formula-defusing apostrophe: carrier software reads the
file, not a spreadsheet, and an apostrophe would be printed on the label or break a numeric field.

Warnings are plain text in the language of whoever makes the file (flask_babel's lazy texts, made text
once, as importers.base.FileRefused does); outside a Flask application they are the English source.
The field names they quote are the carrier's own column names, which stay as the file has them.
"""
import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence

from flask_babel import lazy_gettext as _l


ENCODING = 'cp932'
#: the conventional "cannot print" mark (JIS 2-14), used only when no substitute exists
GETA = '〓'
#: characters outside what a carrier accepts, with the JIS X 0208 character shops write instead;
#: 𠮷, 𠷡, 繫 and 䑓 are the ones R3 (labocho/yamato_b2_cloud) maps, the others common IBM-extension variants
VARIANTS = {
    '𠮷': '吉', '𠷡': '百合', '繫': '繋', '䑓': '臺',
    '髙': '高', '﨑': '崎', '德': '徳', '濵': '濱', '栁': '柳', '敎': '教', '鄕': '郷', '昻': '昂', '槗': '橋',
    '瀨': '瀬', '靑': '青', '淸': '清',
}
_SAME_CHARACTER = {'\u2014': '\u2015', '\u00a0': ' '}
_BREAKS = re.compile(r'[\r\n\t\v\f]+')
_SPACES = re.compile(r' {2,}')
# what a spreadsheet would run as a formula (=, @, or a sign before more than a number or phone number)
_FORMULA = re.compile(r'^(?:[=@]|[+\-](?![\d\s()\-]*$))')


def cp932_width(text: str) -> int:
    """Width in CP932 bytes (full-width 2, half-width 1); the text must already be CP932-safe."""
    return len(text.encode(ENCODING))


def is_jis_x0208(char: str) -> bool:
    """Whether the character is in JIS X 0208 (levels 1 and 2) or is single-byte (ASCII, half-width kana).

    Told from its CP932 code: NEC special characters (row 13: ①, ㈱, №), NEC-selected and IBM
    extensions (髙, 﨑, 德) and user-defined characters lie outside JIS X 0208.
    """
    try:
        code = char.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    if len(code) == 1:
        return True
    lead, trail = code
    return (0x81 <= lead <= 0x84 or (lead == 0x88 and trail >= 0x9F) or 0x89 <= lead <= 0x9F
            or 0xE0 <= lead <= 0xE9 or (lead == 0xEA and trail <= 0xA4))


def _fits(char: str, jis_x0208_only: bool) -> bool:
    if unicodedata.category(char) == 'Cc':
        return False
    if jis_x0208_only:
        return is_jis_x0208(char)
    try:
        char.encode(ENCODING)
    except UnicodeEncodeError:
        return False
    return char not in '\x80\uf8f0\uf8f1\uf8f2\uf8f3' and not '\ue000' <= char <= '\uf8ff'


def _substitute(char: str, jis_x0208_only: bool) -> str:
    for candidate in (VARIANTS.get(char), unicodedata.normalize('NFKC', char)):
        if candidate and candidate != char and all(_fits(c, jis_x0208_only) for c in candidate):
            return candidate
    return GETA


def _characters(text: str) -> list[str]:
    """The text as characters, a base character kept together with a following variation selector."""
    chars: list[str] = []
    for char in text:
        if chars and ('\ufe00' <= char <= '\ufe0f' or '\U000e0100' <= char <= '\U000e01ef'):
            chars[-1] += char
        else:
            chars.append(char)
    return chars


class Fields:
    """Turns one shipment's values into the target's characters and widths, collecting warnings.

    :param order_number: named in every warning
    :param warnings: the export's list, appended to
    :param jis_x0208_only: Yamato B2 Cloud takes only JIS level 1-2 kanji (formats.md §6a)
    """

    def __init__(self, order_number: str, warnings: list[str], *, jis_x0208_only: bool = False):
        self.order_number = order_number
        self.warnings = warnings
        self.jis_x0208_only = jis_x0208_only

    def warn(self, message) -> None:
        """Add a warning about this shipment; `message` (a lazy text) is made text now, in the current language."""
        self.warnings.append(str(_l('%(order)s: %(message)s', order=self.order_number, message=message)))

    def clean(self, field: str, value: str) -> str:
        """The value with every character the target can hold; each substitution is a warning."""
        text = _BREAKS.sub(' ', str(value or ''))
        for old, new in _SAME_CHARACTER.items():
            text = text.replace(old, new)
        text = _SPACES.sub(' ', text).strip()
        out = []
        for char in _characters(text):
            base = char[0]
            if len(char) == 1 and _fits(char, self.jis_x0208_only):
                out.append(char)
                continue
            if len(char) > 1 and _fits(base, self.jis_x0208_only):
                # a variation selector asks for a glyph variant no label printer has: the base character is printed
                out.append(base)
                continue
            replacement = _substitute(base, self.jis_x0208_only)
            out.append(replacement)
            values = {'field': field, 'char': char, 'code': f'{ord(base):04X}', 'replacement': replacement}
            if unicodedata.category(base) == 'Cc':
                values['char'] = repr(char)[1:-1]  # shown escaped: the character itself would not be seen
                message = _l('%(field)s: "%(char)s" (U+%(code)s) is a control character, which no label prints; '
                             'written as "%(replacement)s"', **values)
            elif self.jis_x0208_only and _fits(base, False):
                message = _l('%(field)s: "%(char)s" (U+%(code)s) is outside JIS X 0208 (levels 1-2), which B2 Cloud '
                             'requires; written as "%(replacement)s"', **values)
            else:
                message = _l('%(field)s: "%(char)s" (U+%(code)s) cannot be written in CP932; '
                             'written as "%(replacement)s"', **values)
            self.warn(message)
        return ''.join(out)

    def row(self, cells: list[str]) -> list[str]:
        """The shipment's row as it goes into the file; a cell a spreadsheet would run as a formula is a warning.

        The carrier's software reads the file as text and needs each value as it is, so nothing is changed:
        the person making the file is told not to open it in a spreadsheet, and to check the order.
        """
        for column, cell in enumerate(cells, start=1):
            if cell and _FORMULA.match(str(cell)):
                self.warn(_l('column %(column)d "%(value)s" begins like a spreadsheet formula: it is written as it '
                             'is for the carrier; do not open this file in a spreadsheet program, and check the '
                             'order', column=column, value=cell))
        return cells

    def text(self, field: str, value: str, max_bytes: int) -> str:
        """A cleaned value cut to `max_bytes`; a cut is a warning naming what was left out."""
        (line,) = self.lines(field, [value], [max_bytes])
        return line

    def lines(self, field: str, parts: Sequence[str], widths: Sequence[int]) -> list[str]:
        """Parts of an address (or a name) laid out over the target's lines, each `widths[i]` bytes wide.

        Each part starts on a new line and wraps onto the next when longer than a line.  When that
        needs more lines than there are, the parts are joined by a space and flowed over all the lines
        instead.  Whatever still does not fit is cut off the end and reported as a warning.
        """
        cleaned = [self.clean(field, part) for part in parts]
        cleaned = [part for part in cleaned if part]
        lines = _own_lines(cleaned, widths)
        if lines is None:
            lines, rest = _wrap(' '.join(cleaned), widths)
            if rest:
                whole = ' '.join(cleaned)
                self.warn(_l('%(field)s is longer than %(limit)s and was cut: "%(rest)s" left out '
                             '(whole value: "%(whole)s")', field=field, limit=_describe(widths), rest=rest,
                             whole=whole))
        return lines + [''] * (len(widths) - len(lines))


def _describe(widths: Sequence[int]) -> str:
    """The room a value had, as a warning says it: '64 bytes + 32 bytes', '3 lines of 32 bytes (16 ...)'."""
    if len(set(widths)) == 1:
        one = _l('%(bytes)d bytes (%(characters)d full-width characters)', bytes=widths[0],
                 characters=widths[0] // 2)
        return str(one if len(widths) == 1 else _l('%(lines)d lines of %(line)s', lines=len(widths), line=one))
    return ' + '.join(str(_l('%(bytes)d bytes', bytes=w)) for w in widths)


def _own_lines(parts: list[str], widths: Sequence[int]) -> list[str] | None:
    lines: list[str] = []
    for part in parts:
        wrapped, rest = _wrap(part, widths[len(lines):])
        if rest or not wrapped:
            return None
        lines.extend(wrapped)
    return lines


def _wrap(text: str, widths: Sequence[int]) -> tuple[list[str], str]:
    """Text cut into lines of the given byte widths, and what is left over."""
    lines = []
    rest = text
    for width in widths:
        if not rest:
            break
        line, rest = _cut(rest, width)
        lines.append(line.rstrip())
        rest = rest.lstrip()
    return lines, rest


def _cut(text: str, max_bytes: int) -> tuple[str, str]:
    used = 0
    for index, char in enumerate(text):
        used += cp932_width(char)
        if used > max_bytes:
            return text[:index], text[index:]
    return text, ''


def postal(digits: str) -> str:
    """A 7-digit postal code as NNN-NNNN, the form carrier software prints (R3 writer.rb)."""
    return f'{digits[:3]}-{digits[3:]}'


# prefixes whose split is certain; other landlines have area codes of 2 to 5 digits (総務省's table)
_PHONE_SPLITS = (
    (('070', '080', '090', '050', '020', '060'), 11, (3, 4, 4)),
    (('0120',), 10, (4, 3, 3)),
    (('0800',), 11, (4, 3, 4)),
    (('03', '06'), 10, (2, 4, 4)),
)


def phone(digits: str) -> str:
    """A phone number hyphenated where the split is certain (mobiles, IP phones, 03, 06, 0120, 0800).

    Other landlines stay digits only: their area code has 2 to 5 digits and only the Ministry's
    numbering table tells which, and the label software takes a number with or without hyphens.
    """
    for prefixes, length, split in _PHONE_SPLITS:
        if len(digits) == length and digits.startswith(prefixes):
            a, b, _ = split
            return f'{digits[:a]}-{digits[a:a + b]}-{digits[a + b:]}'
    return digits


def write_rows(rows: Iterable[Sequence[str]], header: Sequence[str] | None = None) -> bytes:
    """Positional CSV in CP932 with CRLF line ends; cells are written exactly as given.

    The cells must already be CP932-safe (Fields.clean); a cell that is not is a bug and raises.
    """
    buffer = io.StringIO(newline='')
    writer = csv.writer(buffer, lineterminator='\r\n')
    if header is not None:
        writer.writerow(header)
    for row in rows:
        writer.writerow(['' if cell is None else str(cell) for cell in row])
    return buffer.getvalue().encode(ENCODING)
