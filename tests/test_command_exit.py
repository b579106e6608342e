"""A command run as ``flask --app wsgi`` leaves the database as a finished process should."""
import os
import subprocess
import sys
from pathlib import Path

import pytest


ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(autouse=True)
def app_context():
    """Replaces the application context of tests/conftest.py: the command runs in its own process."""


def test_a_command_closes_its_sqlite_database_on_exit_leaving_no_write_ahead_log(tmp_path):
    # wsgi.py freezes the objects left at exit out of the collector; the connections must close first,
    # or SQLite keeps its write-ahead log beside the database until some later process opens it
    database = tmp_path / 'kura.db'
    env = {**os.environ, 'DATABASE_URL': f'sqlite:///{database}', 'KURA_INSTANCE_PATH': str(tmp_path)}
    done = subprocess.run([str(Path(sys.executable).with_name('flask')), '--app', 'wsgi', 'db', 'upgrade'],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    assert database.stat().st_size > 0
    assert not database.with_name('kura.db-wal').exists()
