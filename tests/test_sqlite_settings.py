"""How Kura opens a SQLite database file: what a new file gets, and what an existing one keeps."""
import sqlite3

import pytest
import sqlalchemy as sa

from app.database import configure_engine


@pytest.fixture(autouse=True)
def app_context():
    """Replaces the application context of tests/conftest.py: these tests open their own files."""


def _opened(path):
    engine = sa.create_engine(f'sqlite:///{path}')
    configure_engine(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql('CREATE TABLE IF NOT EXISTS t (x)')
        settings = {name: connection.exec_driver_sql(f'PRAGMA {name}').scalar()
                    for name in ('page_size', 'journal_mode', 'temp_store', 'foreign_keys')}
    engine.dispose()
    return settings


def test_a_new_database_file_gets_8_kib_pages_write_ahead_logging_and_temporary_storage_in_memory(tmp_path):
    assert _opened(tmp_path / 'new.db') == {'page_size': 8192, 'journal_mode': 'wal', 'temp_store': 2,
                                            'foreign_keys': 1}


def test_an_existing_database_file_keeps_its_page_size(tmp_path):
    path = tmp_path / 'old.db'
    with sqlite3.connect(path) as connection:
        connection.execute('CREATE TABLE t (x)')
    connection.close()

    assert _opened(path)['page_size'] == 4096
