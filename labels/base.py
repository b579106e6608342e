"""The document base class (indico's ``get_pdf()`` / ``_build_pdf(canvas)`` split) and text helpers."""
import functools
import threading
from io import BytesIO

from reportlab import rl_config
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfgen.canvas import Canvas

from importers.base import JST
from labels.fonts import japanese_font


#: one document at a time per process: reportlab's settings are module globals (see get_pdf) and a font's
#: subsets are per-document state; drawing is CPU-bound under the GIL, so nothing is lost by waiting
_BUILDING = threading.Lock()


class LabelSheet:
    """One PDF document: subclasses set `pagesize` and `title` and draw every page in `_build_pdf`.

    The canvas is made with ``invariant=1``: reportlab then writes a fixed creation date and a document
    id derived from the content, so the same input always gives the same bytes.  Streams are compressed
    without reportlab's default ASCII85 wrapping (``rl_config.useA85``): smaller and faster to write
    (docs/benchmarks.md, "Figures behind choices in the code").
    """

    pagesize: tuple[float, float]
    title = ''

    def __init__(self):
        self.font = japanese_font()
        self._widths = _char_widths(self.font)

    def get_pdf(self) -> BytesIO:
        """The document, from the start of a fresh buffer."""
        buf = BytesIO()
        with _BUILDING:
            a85, rl_config.useA85 = rl_config.useA85, 0  # read when each page and font stream is made
            try:
                canvas = Canvas(buf, pagesize=self.pagesize, invariant=1, pageCompression=1,
                                initialFontName=self.font, initialFontSize=9)
                canvas.setTitle(self.title)
                canvas.setAuthor('Kura')
                canvas.setCreator('Kura')
                canvas.setSubject(self.title)
                self._build_pdf(canvas)
                canvas.save()
            finally:
                rl_config.useA85 = a85
        buf.seek(0)
        return buf

    def _build_pdf(self, canvas: Canvas) -> None:
        raise NotImplementedError

    # -- text ---------------------------------------------------------------------------------------

    def width(self, text: str, size: float) -> float:
        return self._widths(text) * size

    def clip(self, text: str, size: float, max_width: float) -> str:
        """`text`, cut with '…' when it is wider than `max_width` at `size`."""
        return clip(text, size, max_width, self._widths)

    def wrap(self, text: str, size: float, max_width: float) -> list[str]:
        return wrap(text, size, max_width, self._widths)

    def fit_size(self, text: str, size: float, max_width: float, min_size: float) -> float:
        """The largest size up to `size` (not below `min_size`) at which `text` fits in `max_width`."""
        w = self.width(text, size)
        return size if w <= max_width else max(min_size, size * max_width / w)

    def text(self, canvas: Canvas, x: float, y: float, text: str, size: float, *, max_width: float | None = None,
             align: str = 'left', min_size: float | None = None) -> None:
        """Draw one line; too long, it shrinks down to `min_size` (when given), then is cut with '…'."""
        if max_width is not None:
            if min_size is not None:
                size = self.fit_size(text, size, max_width, min_size)
            text = self.clip(text, size, max_width)
        canvas.setFont(self.font, size)
        if align == 'right':
            canvas.drawRightString(x, y, text)
        elif align == 'center':
            canvas.drawCentredString(x, y, text)
        else:
            canvas.drawString(x, y, text)


# -- plain text helpers (unit-tested without a canvas) ------------------------------------------------

#: characters that must not begin a line (a light 行頭禁則), and must not end one
NO_LINE_START = set('、。，．,.)）」』】〕〉》ー・：；？！!?ぁぃぅぇぉっゃゅょァィゥェォッャュョ々〜～')
NO_LINE_END = set('(（「『【〔〈《')
ELLIPSIS = '…'


@functools.cache
def _char_widths(font_name: str):
    """A function: text -> width at size 1, with a per-character cache (stringWidth per call is slow)."""
    font = pdfmetrics.getFont(font_name)
    cache: dict[str, float] = {}

    def width(text: str) -> float:
        total = 0.0
        for c in text:
            w = cache.get(c)
            if w is None:
                w = cache[c] = font.stringWidth(c, 1)
            total += w
        return total

    return width


def font_widths():
    """The width function of the documents' font, for laying pages out before a canvas exists."""
    return _char_widths(japanese_font())


def clip(text: str, size: float, max_width: float, widths) -> str:
    if widths(text) * size <= max_width:
        return text
    room = max_width / size - widths(ELLIPSIS)
    used, end = 0.0, 0
    for end, c in enumerate(text):  # noqa: B007 (end is the first character that does not fit)
        used += widths(c)
        if used > room:
            break
    return text[:end].rstrip() + ELLIPSIS


def wrap(text: str, size: float, max_width: float, widths) -> list[str]:
    """Lines of `text` no wider than `max_width`, broken between any two characters (Japanese has no spaces).

    A closing mark (。、）…) never starts a line: it goes back to the line before (hanging slightly
    over the margin, as 追い込み would).  Explicit newlines are kept.
    """
    lines: list[str] = []
    room = max_width / size
    for paragraph in text.split('\n'):
        line, used = '', 0.0
        for c in paragraph:
            w = widths(c)
            if line and used + w > room and c not in NO_LINE_START:
                if line[-1] in NO_LINE_END and len(line) > 1:
                    lines.append(line[:-1].rstrip())
                    line, used = line[-1], widths(line[-1])
                else:
                    lines.append(line.rstrip())
                    line, used = '', 0.0
                if c == ' ':
                    continue
            line += c
            used += w
        lines.append(line.rstrip())
    return lines


def yen(amount: int) -> str:
    """'¥12,340' ('-¥500' for a negative amount)."""
    return f'-¥{-amount:,}' if amount < 0 else f'¥{amount:,}'


def postal(code: str) -> str:
    """'〒100-0001' from '1000001' or '100-0001'; anything else as given after the mark."""
    digits = code.replace('-', '').strip()
    if len(digits) == 7 and digits.isdigit():
        return f'〒{digits[:3]}-{digits[3:]}'
    return f'〒{code}' if code else ''


def in_japan(moment):
    """An aware datetime in Japan time (a naive one is taken as already in Japan time)."""
    return moment.astimezone(JST) if moment.tzinfo is not None else moment


WEEKDAYS = '月火水木金土日'


def japanese_date(day) -> str:
    """'2026年1月17日(土)'."""
    return f'{day.year}年{day.month}月{day.day}日({WEEKDAYS[day.weekday()]})'
