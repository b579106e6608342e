"""The application's log: one line per event (JSON or text), a request id on each, personal data masked.

Every line of the process goes through the handler installed here: Kura's own loggers, Flask's,
huey's and SQLAlchemy's, since they all propagate to the root logger (gunicorn's error log keeps
its own handler).  The
request id names the request (app/web/monitoring.py) or the background job (app/jobs/queue.py)
a line was written in; the 500 page shows it and the audit events keep it, so that a complaint,
an audit row and a log line can be put together.

Masking is done on the finished line, whatever logger wrote it: e-mail addresses and telephone
numbers become ``[email]`` and ``[phone]``.  Names and addresses cannot be recognised in free text,
so Kura never logs a form field or a query string's values (``masked_query``); a message names
records by their id.
"""
import contextvars
import datetime as dt
import json
import logging
import logging.handlers
import re
import secrets
import unicodedata
from pathlib import Path


_job_request_id: contextvars.ContextVar[str | None] = contextvars.ContextVar('kura_request_id', default=None)

#: an X-Request-ID from a proxy or a client is kept when it looks like an id, not free text
SANE_REQUEST_ID = re.compile(r'[A-Za-z0-9._:+=/-]{8,100}')


def new_request_id() -> str:
    return secrets.token_hex(16)


def sane_request_id(value: str | None) -> str | None:
    """`value` when it can serve as a request id (no spaces, no markup, a bounded length), else None."""
    if value and SANE_REQUEST_ID.fullmatch(value):
        return value
    return None


def current_request_id() -> str | None:
    """The id of the request or background job running now, or None (a command, a test's own code)."""
    from flask import g, has_request_context

    if has_request_context():
        return g.get('request_id')
    return _job_request_id.get()


def name_job(request_id: str | None) -> None:
    """Name what this thread runs from now on (a background job) with `request_id`; None when it ends."""
    _job_request_id.set(request_id)


EMAIL = re.compile(r'[^\s@<>"\'(),;:\[\]=&?/]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+')
# Japanese numbers as people write them: 03-1234-5678, 090 1234 5678, 09012345678, +81-90-1234-5678,
# full-width too; _phone then wants ten or eleven digits from the 0. A digit or a dot just before or
# after means a longer number (a tracking number, an amount), which stays
_SEP = '[- \u2010-\u2015\u30fc\uff0d]?'
PHONE_LIKE = re.compile(rf'(?<![\d.+])(?:\+81{_SEP}|[0\uff10])\d{{1,4}}{_SEP}\d{{1,4}}{_SEP}\d{{3,4}}(?![\d.])')


def _phone(match: re.Match) -> str:
    text = match.group()
    digits = unicodedata.normalize('NFKC', re.sub(r'\D', '', text))
    if text.startswith('+81'):
        digits = '0' + digits[2:]
    return '[phone]' if digits.startswith('0') and len(digits) in (10, 11) else text


#: query parameters whose values are codes, never personal data or search strings: logged as they are
PLAIN_QUERY_KEYS = frozenset({'page', 'sort', 'dir', 'status', 'channel', 'layout', 'format', 'encoding', 'batch',
                              'queue', 'kind', 'locale', 'per_page'})


def mask(text: str) -> str:
    """`text` with the e-mail addresses and telephone numbers in it replaced."""
    return PHONE_LIKE.sub(_phone, EMAIL.sub('[email]', text))


def masked_query(args) -> str:
    """A request's query string for the log: the values of anything that may be a search or a name masked."""
    parts = []
    for key, value in args.items(multi=True):
        parts.append(f'{key}={mask(value) if key in PLAIN_QUERY_KEYS else "***"}')
    return '&'.join(parts)


class MaskingFilter(logging.Filter):
    """On a handler: each record's message, its fields and its traceback with personal data masked."""

    def filter(self, record):
        record.msg, record.args = mask(record.getMessage()), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = mask(record.exc_text)
        fields = getattr(record, 'fields', None)
        if fields:
            record.fields = {k: mask(v) if isinstance(v, str) else v for k, v in fields.items()}
        if not hasattr(record, 'request_id'):
            record.request_id = current_request_id()
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, request_id, and the record's ``fields``.

    A few lines of our own rather than python-json-logger: the fields are one dict (``extra={'fields': ...}``),
    so there is nothing to pick out of the record's attributes.
    """

    def format(self, record):
        line = {
            'time': dt.datetime.fromtimestamp(record.created, dt.UTC).isoformat(timespec='milliseconds'),
            'level': record.levelname,
            'logger': record.name,
            'message': record.getMessage(),
            'request_id': getattr(record, 'request_id', None),
        }
        line.update(getattr(record, 'fields', None) or {})
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line['exception'] = record.exc_text
        return json.dumps(line, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__('%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s')

    def format(self, record):
        if getattr(record, 'request_id', None) is None:
            record.request_id = '-'
        text = super().format(record)
        fields = getattr(record, 'fields', None)
        if fields:
            text += ' ' + ' '.join(f'{k}={v}' for k, v in fields.items())
        return text


def make_handler(config: dict) -> logging.Handler:
    """The handler the settings ask for (docs/operations.md#logs).

    LOG_FILE unset: standard error (gunicorn, systemd or the terminal keep it).  LOG_ROTATE
    ``size``: the file is rotated by size by this process, which suits one process writing it;
    ``external``: logrotate (or the like) moves the file and this process reopens it, which suits
    several processes writing one file, as gunicorn's workers do.
    """
    path = config.get('LOG_FILE')
    if not path:
        handler = logging.StreamHandler()
    elif config.get('LOG_ROTATE', 'size') == 'external':
        handler = logging.handlers.WatchedFileHandler(path, encoding='utf-8')
    else:
        handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=config.get('LOG_MAX_MB', 20) * 1024 * 1024, backupCount=config.get('LOG_BACKUPS', 10),
            encoding='utf-8')
    handler.setFormatter(TextFormatter() if config.get('LOG_FORMAT') == 'text' else JsonFormatter())
    handler.addFilter(MaskingFilter())
    handler.kura = True
    return handler


def configure_logging(config: dict) -> logging.Handler:
    """Install Kura's handler on the root logger, in place of one installed before (one per process)."""
    if config.get('LOG_FILE'):
        Path(config['LOG_FILE']).parent.mkdir(parents=True, exist_ok=True)
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, 'kura', False)]:
        root.removeHandler(old)
        old.close()
    handler = make_handler(config)
    root.addHandler(handler)
    root.setLevel(config.get('LOG_LEVEL', 'INFO'))
    migration = logging.getLogger('alembic.runtime.migration')
    if not any(isinstance(f, _AlembicContextFilter) for f in migration.filters):
        migration.addFilter(_AlembicContextFilter())
    return handler


class _AlembicContextFilter(logging.Filter):
    """Drop alembic's two lines of every migration context: /healthz and /readyz make one each time."""

    def filter(self, record):
        return record.msg not in ('Context impl %s.', 'Will assume %s DDL.')


def remove_handler(handler: logging.Handler) -> None:
    logging.getLogger().removeHandler(handler)
    handler.close()
