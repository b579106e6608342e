"""Settings from environment variables, with defaults that run Kura embedded on one machine."""
import contextlib
import datetime as dt
import os
import secrets
from pathlib import Path


def owner_only(path: Path, *, folder: bool = False) -> None:
    """Make `path` readable by its owner only (0700 for a folder, made if missing; 0600 for a file).

    The instance folder holds the database, the secret key and the job queue, all with customers'
    personal data or the keys to it.  A path owned by another user (a shared folder an operator set
    up on purpose) is left as it is.
    """
    if folder:
        path.mkdir(mode=0o700, parents=True, exist_ok=True)
    with contextlib.suppress(PermissionError):
        path.chmod(0o700 if folder else 0o600)


DEFAULT_INSTANCE = Path(__file__).resolve().parent.parent / 'instance'


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder.

    A key made up at each start would log everybody out at every restart and break sessions
    between gunicorn workers, so the embedded default writes it to a file the first time.
    """
    if os.environ.get('SECRET_KEY'):
        return os.environ['SECRET_KEY']
    key_file = instance / 'secret_key'
    if not key_file.exists():
        _create_secret_key(key_file)
    key = key_file.read_text().strip()
    if not key:
        raise RuntimeError(f'{key_file} is empty: delete it (everybody will have to log in again) or set SECRET_KEY.')
    return key


def _create_secret_key(key_file: Path) -> None:
    """Write a new key so that no process ever reads it half written, whichever of several starting first wins.

    The key is written whole to a private file of this process, then linked to its name: a link is made
    at once or not at all, and it fails if another process linked its own key first, which then stands.
    """
    draft = key_file.with_name(f'.{key_file.name}.{os.getpid()}.{secrets.token_hex(4)}')
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, 'w') as stream:
            stream.write(secrets.token_hex(32))
            stream.flush()
            os.fsync(stream.fileno())
        os.link(draft, key_file)
    except FileExistsError:
        pass
    finally:
        draft.unlink(missing_ok=True)


def database_url(url: str) -> str:
    """Accept the usual postgres:// and postgresql:// spellings and use psycopg 3 for them."""
    for prefix in ('postgres://', 'postgresql://'):
        if url.startswith(prefix):
            return 'postgresql+psycopg://' + url[len(prefix):]
    return url


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value is None else value.strip().lower() in ('1', 'true', 'yes', 'on')


def _int(name: str, default: int) -> int:
    value = os.environ.get(name, '').strip()
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise RuntimeError(f'{name} must be a whole number, not {value!r}') from None


def _choice(name: str, choices: tuple[str, ...], default: str) -> str:
    value = os.environ.get(name, '').strip()
    if not value:
        return default
    for choice in choices:
        if value.lower() == choice.lower():
            return choice
    raise RuntimeError(f'{name} must be one of {", ".join(choices)}, not {value!r}')


class Config:
    """Defaults; ``load()`` adds what the environment says.  Subclasses (tests) override attributes."""

    INSTANCE_PATH = None
    SECRET_KEY = None
    SQLALCHEMY_DATABASE_URI = None
    # hide_parameters: a database error logged with its traceback would otherwise quote the row's
    # values (names, addresses) in the log
    SQLALCHEMY_ENGINE_OPTIONS = {'pool_pre_ping': True, 'hide_parameters': True}
    BABEL_DEFAULT_LOCALE = 'ja'
    BABEL_DEFAULT_TIMEZONE = 'Asia/Tokyo'
    LANGUAGES = ('ja', 'en')
    WTF_CSRF_TIME_LIMIT = None  # a clerk's screen stays open all day
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = 'Lax'
    PAGE_SIZE = 50
    MAX_CONTENT_LENGTH = 200 * 1024 * 1024
    #: an order upload with more lines than this is imported by the background consumer
    IMPORT_BACKGROUND_LINES = 3000
    #: an order upload larger than this (bytes, all its files) is read and checked for its preview by the
    #: background consumer, so that no web worker spends long on one request (docs/operations.md)
    IMPORT_PREVIEW_BACKGROUND_BYTES = 1024 * 1024

    @classmethod
    def load(cls) -> dict:
        """The settings as a dict: the class's values, then the environment read now."""
        values = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        instance = Path(values['INSTANCE_PATH'] or os.environ.get('KURA_INSTANCE_PATH') or DEFAULT_INSTANCE)
        owner_only(instance, folder=True)
        values['INSTANCE_PATH'] = instance
        values['SECRET_KEY'] = values['SECRET_KEY'] or _secret_key(instance)
        default_db = f"sqlite:///{instance / 'kura.db'}"
        values['SQLALCHEMY_DATABASE_URI'] = database_url(
            values['SQLALCHEMY_DATABASE_URI'] or os.environ.get('DATABASE_URL') or default_db)
        env = {
            'REDIS_URL': os.environ.get('REDIS_URL', ''),
            'MAIL_SERVER': os.environ.get('MAIL_SERVER', ''),
            'MAIL_PORT': _int('MAIL_PORT', 587),
            'MAIL_USERNAME': os.environ.get('MAIL_USERNAME', ''),
            'MAIL_PASSWORD': os.environ.get('MAIL_PASSWORD', ''),
            'MAIL_USE_TLS': _flag('MAIL_USE_TLS', True),
            'MAIL_FROM': os.environ.get('MAIL_FROM', ''),
            # behind a TLS-terminating reverse proxy: trust its X-Forwarded-* and mark cookies Secure
            'BEHIND_PROXY': _flag('KURA_BEHIND_PROXY', False),
            # backups (docs/operations.md#backups); the schedule itself, KURA_BACKUP_AT, is read by the
            # job queue at import time, as huey declares its periodic tasks before any app exists
            'BACKUP_DIR': Path(os.environ.get('KURA_BACKUP_DIR') or instance / 'backups'),
            'BACKUP_KEEP': _int('KURA_BACKUP_KEEP', 14),
            'BACKUP_BEFORE_UPGRADE': _flag('KURA_BACKUP_BEFORE_UPGRADE', True),
            # a login ends after this long without a request, and in any case this long after it began
            'SESSION_IDLE_MINUTES': _int('KURA_SESSION_IDLE_MINUTES', 240),
            'SESSION_MAX_HOURS': _int('KURA_SESSION_MAX_HOURS', 16),
            # the log (docs/operations.md#logs): standard error unless a file is named
            'LOG_FILE': os.environ.get('KURA_LOG_FILE', ''),
            'LOG_FORMAT': _choice('KURA_LOG_FORMAT', ('json', 'text'), 'json'),
            'LOG_LEVEL': _choice('KURA_LOG_LEVEL', ('DEBUG', 'INFO', 'WARNING', 'ERROR'), 'INFO'),
            'LOG_ROTATE': _choice('KURA_LOG_ROTATE', ('size', 'external'), 'size'),
            'LOG_MAX_MB': _int('KURA_LOG_MAX_MB', 20),
            'LOG_BACKUPS': _int('KURA_LOG_BACKUPS', 10),
            # /metrics answers only a request bearing this token; unset, there is no /metrics
            'METRICS_TOKEN': os.environ.get('KURA_METRICS_TOKEN', ''),
            # /readyz: when a check turns from ok to warning, and from warning to failing
            # (docs/operations.md#monitoring)
            'READY_CONSUMER_WARN_SECONDS': _int('KURA_READY_CONSUMER_WARN_SECONDS', 180),
            'READY_CONSUMER_FAIL_SECONDS': _int('KURA_READY_CONSUMER_FAIL_SECONDS', 600),
            'READY_OUTBOX_WARN': _int('KURA_READY_OUTBOX_WARN', 100),
            'READY_OUTBOX_FAIL': _int('KURA_READY_OUTBOX_FAIL', 1000),
            'READY_OUTBOX_AGE_WARN_MINUTES': _int('KURA_READY_OUTBOX_AGE_WARN_MINUTES', 15),
            'READY_OUTBOX_AGE_FAIL_MINUTES': _int('KURA_READY_OUTBOX_AGE_FAIL_MINUTES', 60),
            'READY_JOB_QUEUED_MINUTES': _int('KURA_READY_JOB_QUEUED_MINUTES', 10),
            'READY_DISK_WARN_MB': _int('KURA_READY_DISK_WARN_MB', 2048),
            'READY_DISK_FAIL_MB': _int('KURA_READY_DISK_FAIL_MB', 500),
        }
        for key, value in env.items():
            values.setdefault(key, value)
        values['SESSION_COOKIE_SECURE'] = values.get('SESSION_COOKIE_SECURE', values['BEHIND_PROXY'])
        # Flask signs the time into the cookie and refuses one older than this: the idle limit
        values['PERMANENT_SESSION_LIFETIME'] = dt.timedelta(minutes=values['SESSION_IDLE_MINUTES'])
        return values


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = 'test-secret-key'
    # CSRF is exercised by its own test; the rest post forms without a token
    WTF_CSRF_ENABLED = False
    # argon2 at its default cost makes every login in the suite take a noticeable time
    PASSWORD_HASH_FAST = True
