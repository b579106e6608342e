"""Barcodes on screens, as inline SVG from python-barcode: a code can be scanned off the monitor.

The PDFs draw theirs with reportlab (labels/barcodes.py); a screen gets the same symbologies:
EAN-13 / EAN-8 for a JAN, Code128 for Kura's own codes (SKUs, locations, pick batches).  The bars are
drawn with presentation attributes (``fill``), not ``style``, and without ids, so several barcodes sit
on one page and no style rule is needed.
"""
import io
import re

import barcode
from barcode.writer import SVGWriter
from markupsafe import Markup

from importers.codes import is_valid_jan


#: the narrowest bar: two CSS pixels (0.529 mm at 96 px per inch), so each bar falls on whole pixels
MODULE_MM = 25.4 / 96 * 2
PX_PER_MM = 96 / 25.4


def barcode_svg(value: str, symbology: str = 'code128', *, height_mm: float = 12.0) -> Markup:
    """The barcode of `value` as an ``<svg>`` element, without the human-readable text (the page shows it).

    :param symbology: ``code128``, or ``jan`` for an EAN-13 / EAN-8 with a valid check digit
    :raise ValueError: for a JAN with a wrong check digit, or a value Code128 cannot carry
    """
    if symbology == 'jan':
        if not is_valid_jan(value):
            raise ValueError(f'{value!r} is not a valid JAN')
        code = barcode.get('ean13' if len(value) == 13 else 'ean8', value[:-1], writer=SVGWriter())
    elif symbology == 'code128':
        if not value or not all(' ' <= c <= '~' for c in value):
            raise ValueError(f'Code128 carries printable ASCII, not {value!r}')
        code = barcode.get('code128', value, writer=SVGWriter())
    else:
        raise ValueError(f'unknown symbology {symbology!r}')
    out = io.BytesIO()
    code.write(out, options={'module_width': MODULE_MM, 'module_height': height_mm, 'quiet_zone': 10 * MODULE_MM,
                             'write_text': False, 'compress': False})
    svg = out.getvalue().decode()
    svg = svg[svg.index('<svg'):]
    svg = re.sub(r'<!--.*?-->\s*', '', svg)
    svg = svg.replace(' id="barcode_group"', '')
    svg = svg.replace('style="fill:white"', 'fill="white"').replace('style="fill:black;"', 'fill="black"')
    # millimetres as user units, with a viewBox: the page may shrink a long code to fit a narrow screen
    width, height = (float(v) for v in re.search(r'width="([\d.]+)mm" height="([\d.]+)mm"', svg).groups())
    svg = re.sub(r'="(-?[\d.]+)mm"', r'="\1"', svg)
    svg = svg.replace(f'width="{width:.3f}" height="{height:.3f}"',
                      f'width="{width * PX_PER_MM:.0f}" height="{height * PX_PER_MM:.0f}" '
                      f'viewBox="0 0 {width:.3f} {height:.3f}"', 1)
    label = value.replace('&', '&amp;').replace('"', '&quot;').replace('<', '&lt;')
    svg = svg.replace('<svg ', f'<svg class="barcode" role="img" aria-label="{label}" ', 1)
    return Markup(svg.strip())


def screen_barcode(value: str | None, symbology: str = 'code128') -> Markup:
    """For templates: the barcode of `value`, or nothing for a value the symbology cannot carry (a SKU in kanji)."""
    try:
        return barcode_svg(value or '', symbology)
    except ValueError:
        return Markup('')
