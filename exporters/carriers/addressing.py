"""How a parcel is addressed: the honorific after the recipient's name, and an address run onto one line.

Shared by the carrier files (exporters.carriers) and the printed documents (labels/), so the label Kura
prints and the one the carrier's software prints never disagree.  Names and addresses themselves are
never changed here: only what is put after or between them.
"""
import unicodedata


#: honorifics a name may already end with ('㈱﨑山商店 御中', '山田 花子様'): nothing is added after them
STATED = ('様', '御中', '殿', '各位')
#: marks of a company or an office (compared after NFKC, so ㈱ and （株） are '(株)')
COMPANY = ('株式会社', '有限会社', '合同会社', '合資会社', '合名会社', '(株)', '(有)', '(同)', '(資)', '(名)',
           '社団法人', '財団法人', '医療法人', '学校法人', '社会福祉法人', '特定非営利活動法人', 'npo法人', '協同組合')


def honorific(name: str) -> str:
    """The honorific that follows the recipient's name: '様', '御中' for a company, or ''.

    '' when the name already ends with one, so '㈱﨑山商店 御中' never becomes '… 御中 様'.  A name is
    a company's when its last word carries a company mark ('㈱﨑山商店', '株式会社 蔵' is read as a
    person '蔵' at a company and gets 様, as does '株式会社ABC 山田 太郎').
    """
    text = unicodedata.normalize('NFKC', name).strip()
    if text.endswith(STATED):
        return ''
    words = text.lower().split()
    if words and any(mark in words[-1] for mark in COMPANY):
        return '御中'
    return '様'


def addressee(name: str) -> str:
    """The name as a label prints it, with its honorific: '山田 花子 様', '㈱﨑山商店 御中', '﨑山商店 御中'."""
    mark = honorific(name)
    return f'{name} {mark}' if mark else name


def address_line(*parts: str) -> str:
    """Parts of an address (prefecture, city, street) run together as Japanese addresses are written.

    A space is kept between two parts where romaji meet ('Chuo-ku' + 'Kita 1-jo' is 'Chuo-ku Kita 1-jo',
    '東京都' + 'Chiyoda-ku' is '東京都 Chiyoda-ku'); Japanese parts run on ('札幌市中央区北一条西1-2-3').
    """
    line = ''
    for part in parts:
        if not part:
            continue
        if line and _latin_meets(line[-1], part[0]):
            line += ' '
        line += part
    return line


def _latin_meets(left: str, right: str) -> bool:
    left, right = unicodedata.normalize('NFKC', left), unicodedata.normalize('NFKC', right)
    if not left or not right or left.isspace() or right.isspace():
        return False
    return (left.isascii() and left.isalpha()) or (right.isascii() and right.isalpha())
