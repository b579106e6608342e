"""Delivery windows as the malls write them, read as a carrier's time slot when its file is made.

An order keeps its window exactly as the customer or the mall wrote it: Rakuten's お届け時間帯
(`14:00～16:00`, `午前中`), Yahoo!'s ShipRequestTime (`14時-16時`, `１４：００～１６：００`), Amazon's
scheduled-delivery-start/end-date (read as `14:00-16:00`), the storefront's own `14-16`.  Nothing
imported is rewritten: the text is what the slip and the order page show, and what a clerk reads
when a window does not fit.  A carrier file is the only place that needs one of the carrier's own
codes, so each export reads the text here and looks the window up in its carrier's table.  A window
that is read but matches none of that carrier's slots (`10:00-12:00`, or `12-14` for Yamato, which
dropped it in 2017), or that cannot be read at all, is listed on the result, naming the order:
the parcel goes in the file without a slot, never with a guessed one.

How a window is read (after NFKC, so full-width digits, `：` and `～` are plain):

- empty, or words that ask for none (`なし`, `指定なし`, `希望なし`, `お届け時間帯指定なし`, `-`): no window;
- a range of hours, `14-16`, `14:00-16:00`, `14時～16時`, `14時から16時`, `午後2時～4時`, with any dash
  or wave dash between; minutes must be `00` (`14:30-16:00` fits no carrier's slot);
- a range that spans the whole delivery day (from 8:00 or earlier to 21:00 or later, as Amazon
  writes a date-only promise, `00:00-23:59`): no window, since every slot satisfies it;
- 8-12, or a text with `午前` and no range (`午前中`, `午前中希望`), or `AM`: 午前中.
"""
import re
import unicodedata

from flask_babel import lazy_gettext as _l


MORNING = '午前中'
_DASHES = '-~〜‐‑‒–—―−ー'
_TIME = r'(\d{1,2})(?::(\d{2}))?\s*時?'
_RANGE = re.compile(rf'{_TIME}\s*(?:[{_DASHES}]|から)\s*{_TIME}')
_NONE = re.compile(r'なし|無し|指定しない|希望しない|不要')
_AM = re.compile(r'午前|\bam\b', re.IGNORECASE)


def read_window(text: str) -> str | None:
    """The window a text asks for: '' for none, '午前中', or 'H-H' in whole hours ('14-16', '12-14', '18-21').

    :return: None when the text is not a window Kura can read (it is then listed, never dropped).
    """
    value = unicodedata.normalize('NFKC', text or '').strip()
    if not value or value in {'-', '―'} or _NONE.search(value):
        return ''
    match = _RANGE.search(value)
    if match:
        start_hour, start_minute, end_hour, end_minute = (int(part or 0) for part in match.groups())
        if '午後' in value[:match.start() + 1] and end_hour <= 12:
            start_hour, end_hour = start_hour + 12 if start_hour < 12 else start_hour, end_hour + 12
        start, end = start_hour * 60 + start_minute, end_hour * 60 + end_minute
        if not 0 <= start < end <= 24 * 60:
            return None
        if start <= 8 * 60 and end >= 21 * 60:
            return ''
        if start_minute or end_minute:
            return None
        return MORNING if (start_hour, end_hour) == (8, 12) else f'{start_hour}-{end_hour}'
    if _AM.search(value) and not any(char.isdigit() for char in value):
        return MORNING  # 午前10時まで (Yamato's タイム service) is not the 8-12 slot
    return None


def slot_code(order_number: str, text: str, codes: dict[str, str], carrier: str, unmatched: list[str]) -> str:
    """The carrier's code for the window the text asks for; codes[''] (no slot) when none matches.

    :param codes: the carrier's slots by window ('' for none, '午前中', '14-16', ...) -> its code
    :param unmatched: the export's list of windows not passed on; one entry naming the order is added
    """
    window = read_window(text)
    code = codes.get(window) if window is not None else None
    if code is None:
        slots = ', '.join(name for name in codes if name)
        unmatched.append(str(_l('%(order)s: the delivery window "%(window)s" matches no %(carrier)s time slot '
                                '(%(slots)s): the parcel is in the file without one. Tell the carrier, or change '
                                "the order's time slot and make the file again", order=order_number,
                                window=text, carrier=carrier, slots=slots)))
        return codes['']
    return code
