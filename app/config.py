"""Settings from environment variables, with defaults that run Kura embedded on one machine."""
import os
import secrets
from pathlib import Path


def _instance_path() -> Path:
    return Path(os.environ.get('KURA_INSTANCE_PATH', Path(__file__).resolve().parent.parent / 'instance'))


def _secret_key(instance: Path) -> str:
    """SECRET_KEY from the environment, else one generated once and kept in the instance folder.

    A key made up at each start would log everybody out at every restart and break sessions
    between gunicorn workers, so the embedded default writes it to a file the first time.
    """
    if os.environ.get('SECRET_KEY'):
        return os.environ['SECRET_KEY']
    key_file = instance / 'secret_key'
    if not key_file.exists():
        instance.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def database_url(url: str) -> str:
    """Accept the usual postgres:// and postgresql:// spellings and use psycopg 3 for them."""
    for prefix in ('postgres://', 'postgresql://'):
        if url.startswith(prefix):
            return 'postgresql+psycopg://' + url[len(prefix):]
    return url


class Config:
    INSTANCE_PATH = _instance_path()
    SECRET_KEY = None  # filled in by load()
    SQLALCHEMY_DATABASE_URI = None
    SQLALCHEMY_ENGINE_OPTIONS = {'pool_pre_ping': True}
    REDIS_URL = os.environ.get('REDIS_URL', '')
    BABEL_DEFAULT_LOCALE = 'ja'
    BABEL_DEFAULT_TIMEZONE = 'Asia/Tokyo'
    LANGUAGES = ('ja', 'en')
    WTF_CSRF_TIME_LIMIT = None  # a clerk's screen stays open all day
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = 'Lax'
    PAGE_SIZE = 50
    MAX_CONTENT_LENGTH = 200 * 1024 * 1024
    MAIL_SERVER = os.environ.get('MAIL_SERVER', '')
    MAIL_PORT = int(os.environ.get('MAIL_PORT', '587'))
    MAIL_USERNAME = os.environ.get('MAIL_USERNAME', '')
    MAIL_PASSWORD = os.environ.get('MAIL_PASSWORD', '')
    MAIL_USE_TLS = os.environ.get('MAIL_USE_TLS', 'true').lower() in ('1', 'true', 'yes')
    MAIL_FROM = os.environ.get('MAIL_FROM', '')

    @classmethod
    def load(cls) -> dict:
        """The settings as a dict, reading the environment now (not at import time)."""
        values = {k: getattr(cls, k) for k in dir(cls) if k.isupper()}
        instance = Path(values['INSTANCE_PATH'])
        values['SECRET_KEY'] = values['SECRET_KEY'] or _secret_key(instance)
        default_db = f"sqlite:///{instance / 'kura.db'}"
        values['SQLALCHEMY_DATABASE_URI'] = database_url(
            values['SQLALCHEMY_DATABASE_URI'] or os.environ.get('DATABASE_URL') or default_db)
        return values


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = 'test-secret-key'
    # CSRF is exercised by its own test; the rest post forms without a token
    WTF_CSRF_ENABLED = False
    # argon2 at its default cost makes every login in the suite take a noticeable time
    PASSWORD_HASH_FAST = True
