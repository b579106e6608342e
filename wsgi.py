"""The WSGI entry point: ``gunicorn wsgi:app`` and ``flask --app wsgi``."""
import atexit
import gc

from app import create_app
from app.extensions import db


app = create_app()


@atexit.register
def _exit_without_collecting():
    # CPython's last collections, as a process ends, walk every object still alive (most of
    # SQLAlchemy, Flask and Kura) to find nothing worth freeing, time added to every command.
    # The database connections are closed first (SQLite checkpoints and removes its WAL),
    # then everything else is frozen out of the collector and left to the operating system.
    with app.app_context():
        db.engine.dispose()
    gc.freeze()
