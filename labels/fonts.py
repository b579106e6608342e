"""The Japanese font: one TrueType file, found once, registered with reportlab once per process.

The font is embedded (subset) in every document so a PDF prints the same on any machine.  Lookup
order: the ``KURA_CJK_FONT`` environment variable (a .ttf path), then the paths the Debian package
fonts-ipaexfont-gothic installs.  A set but missing ``KURA_CJK_FONT`` is an error, not a fallback:
whoever set it wants that font.
"""
import functools
import os
from pathlib import Path

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont


ENV_VAR = 'KURA_CJK_FONT'
PACKAGE = 'fonts-ipaexfont-gothic'
KNOWN_PATHS = (
    '/usr/share/fonts/opentype/ipaexfont-gothic/ipaexg.ttf',
    '/usr/share/fonts/truetype/fonts-japanese-gothic.ttf',  # the Debian alternative (IPAex or another gothic)
)
#: the name documents use with ``canvas.setFont``
FONT_NAME = 'KuraGothic'


class FontNotFound(RuntimeError):
    """No Japanese TrueType font: the documents cannot be drawn."""


def find_font_file(environ=os.environ, known_paths=KNOWN_PATHS) -> Path:
    """The .ttf file to embed.

    :raise FontNotFound: with what to install or set
    """
    configured = environ.get(ENV_VAR, '').strip()
    if configured:
        path = Path(configured)
        if not path.is_file():
            raise FontNotFound(f'{ENV_VAR}={configured} is not a file; point it to a Japanese TrueType (.ttf) font')
        return path
    for candidate in known_paths:
        path = Path(candidate)
        if path.is_file():
            return path
    raise FontNotFound(f'No Japanese TrueType font found (looked in {", ".join(known_paths)}). '
                       f'Install one with `apt-get install {PACKAGE}` (or run .ci/ensure-system-packages), '
                       f'or set {ENV_VAR} to a .ttf file.')


@functools.cache
def japanese_font() -> str:
    """Register the font on first use and return its reportlab name.

    Cached: parsing the font file costs more than drawing a label (docs/benchmarks.md, "Figures behind
    choices in the code").
    """
    pdfmetrics.registerFont(TTFont(FONT_NAME, str(find_font_file())))
    return FONT_NAME
