"""Barcodes as vector bars, from reportlab's own symbologies, painted as one PDF path each.

reportlab's barcode classes work out the bars (``code128.Code128``, ``common.Codabar``,
``eanbc.Ean13BarcodeWidget``); here they are collected into a :class:`Bars` value that knows its width
before it is drawn (so layouts can centre or right-align it) and paints every bar as one filled path
rather than one operator per bar.  No images: a label stays sharp at any printer resolution and a
1,000-label PDF stays small and fast.  Every width includes the symbology's quiet zones.

Symbologies, as docs/formats.md §7 sets them:

- Code128 for Kura's own ids (order numbers, batch codes): printable ASCII.
- NW-7 (Codabar) ``A{12 digits}A`` for carrier-style tracking numbers: no check character of its own,
  the 12th digit is the carriers' mod-7 check digit.
- EAN-13 (JAN) and EAN-8 (JAN-8) for products.
"""
from dataclasses import dataclass

from reportlab.graphics.barcode.code128 import Code128
from reportlab.graphics.barcode.common import Codabar
from reportlab.graphics.barcode.eanbc import Ean8BarcodeWidget, Ean13BarcodeWidget
from reportlab.graphics.shapes import Rect, String
from reportlab.lib.units import mm

from importers.codes import is_valid_jan


@dataclass(frozen=True)
class Bars:
    """A barcode in its own coordinates: bars as (x, y, width, height), digits as (x, y, text, anchor)."""

    width: float
    height: float
    bars: tuple[tuple[float, float, float, float], ...]
    texts: tuple[tuple[float, float, str, str], ...] = ()
    font_size: float = 0

    def draw(self, canvas, x: float, y: float, font_name: str = '') -> None:
        """Paint the bars (and any digits, in `font_name`) with the bottom-left corner at (x, y)."""
        path = canvas.beginPath()
        for bx, by, bw, bh in self.bars:
            path.rect(x + bx, y + by, bw, bh)
        canvas.drawPath(path, stroke=0, fill=1)
        if self.texts:
            canvas.setFont(font_name, self.font_size)
            for tx, ty, text, anchor in self.texts:
                if anchor == 'middle':
                    canvas.drawCentredString(x + tx, y + ty, text)
                elif anchor == 'end':
                    canvas.drawRightString(x + tx, y + ty, text)
                else:
                    canvas.drawString(x + tx, y + ty, text)


class _Collect:
    """Mixin for reportlab's linear barcodes: record the bars instead of drawing each on a canvas."""

    def rect(self, x, y, w, h):
        self.collected.append((x, y, w, h))

    def bars(self) -> Bars:
        self.collected = []
        self.draw()  # calls self.rect for every bar (human-readable text and bearers are off)
        return Bars(self._width, self.barHeight, tuple(self.collected))


class _Code128(_Collect, Code128):
    pass


class _Codabar(_Collect, Codabar):
    pass


def code128(value: str, *, height: float, module: float = 0.25 * mm) -> Bars:
    """Code128 of printable ASCII `value` (reportlab switches to code set C for runs of digits).

    :param module: the narrowest bar; 0.25 mm is two dots of a 203 dpi label printer
    :raise ValueError: for an empty value or one with other characters
    """
    if not value or not all(' ' <= c <= '~' for c in value):
        raise ValueError(f'Code128 here takes printable ASCII, not {value!r}')
    symbol = _Code128(value, barWidth=module, barHeight=height, quiet=1, lquiet=10 * module, rquiet=10 * module,
                      humanReadable=0)
    return symbol.bars()


def codabar(digits: str, *, height: float, narrow: float = 0.375 * mm, ratio: float = 3.0,
            start_stop: str = 'A') -> Bars:
    """NW-7 (Codabar) of `digits` between start and stop characters: ``A444413758703A``.

    :param narrow: the narrow element; wide ones are `ratio` times it
    :raise ValueError: unless `digits` are ASCII digits and `start_stop` is one of A-D
    """
    if not (digits.isascii() and digits.isdigit()) or start_stop not in ('A', 'B', 'C', 'D'):
        raise ValueError(f'NW-7 here takes digits between A-D start/stop characters, not {start_stop}{digits}')
    symbol = _Codabar(f'{start_stop}{digits}{start_stop}', barWidth=narrow, ratio=ratio, barHeight=height,
                      quiet=1, lquiet=10 * narrow, rquiet=10 * narrow, checksum=0, bearers=0, humanReadable=0)
    return symbol.bars()


def jan(code: str, *, height: float, module: float = 0.264 * mm, font_size: float = 7) -> Bars:
    """EAN-13 (or EAN-8) with its digits under the bars, as on a shelf tag.

    :param code: 13 (or 8) digits including a correct check digit
    :param module: 0.33 mm is 100% size; 0.264 mm is 80%, the smallest the GS1 specification allows
    :param height: of the full bars, digits included
    :raise ValueError: for a code that is not a valid JAN
    """
    if not is_valid_jan(code):
        raise ValueError(f'not a valid JAN (EAN-13/EAN-8) code: {code!r}')
    widget_class = Ean13BarcodeWidget if len(code) == 13 else Ean8BarcodeWidget
    # the widget takes the digits before the check digit and works the check digit out itself
    widget = widget_class(code[:-1], barWidth=module, barHeight=height, fontSize=font_size, humanReadable=1)
    group = widget.draw()
    bars, texts = [], []
    for shape in group.contents:
        if isinstance(shape, Rect) and shape.fillColor is not None:
            bars.append((shape.x, shape.y, shape.width, shape.height))
        elif isinstance(shape, String):
            texts.append((shape.x, shape.y, shape.text, shape.textAnchor))
    return Bars(widget.width, height, tuple(bars), tuple(texts), font_size)
