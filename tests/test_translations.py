"""The catalogues: every message of the code has its Japanese, none left to guess (fuzzy) or to a second meaning."""
from pathlib import Path

from babel.messages.pofile import read_po


CATALOGUES = Path(__file__).resolve().parent.parent / 'app' / 'translations'


def _messages(locale: str):
    with (CATALOGUES / locale / 'LC_MESSAGES' / 'messages.po').open('rb') as file:
        return [message for message in read_po(file) if message.id]


def _text(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def test_every_message_has_its_japanese_and_none_is_fuzzy():
    untranslated = [_text(m) for m in _messages('ja')
                    if not (m.string if isinstance(m.string, str) else all(m.string))]
    fuzzy = [_text(m) for m in _messages('ja') if m.fuzzy]
    assert untranslated == [] and fuzzy == [], f'untranslated: {untranslated}; fuzzy: {fuzzy}'


def test_the_japanese_catalogue_holds_every_message_the_code_marks(tmp_path):
    """Extracted afresh, as `make translations-update` does: no message of the code is missing from the catalogue."""
    import subprocess
    import sys

    root = CATALOGUES.parent.parent
    template = tmp_path / 'messages.pot'
    subprocess.run([sys.executable, '-m', 'babel.messages.frontend', '-q', 'extract', '-F', 'babel.cfg',
                    '-k', '_l', '-k', 'lazy_gettext', '-o', str(template), '.'], cwd=root, check=True)
    with template.open('rb') as file:
        marked = {(m.context, _text(m)) for m in read_po(file) if m.id}
    catalogue = {(m.context, _text(m)) for m in _messages('ja')}
    assert sorted(marked - catalogue, key=str) == [], 'run make translations-update and translate'


def test_a_word_with_two_meanings_has_a_context_for_each():
    """「増減」 of a stock movement is not the checkout's 「変更する」: one English word, three messages."""
    change = {m.context: m.string for m in _messages('ja') if _text(m) == 'Change'}
    assert change == {'stock': '増減', 'checkout': '変更する', 'history': '変更内容'}
