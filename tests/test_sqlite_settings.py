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


def _turn_taken(path) -> bool:
    """Whether a writer holds its turn now: another descriptor cannot lock the turns file."""
    import fcntl
    import os

    descriptor = os.open(f'{path}-writer.lock', os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(descriptor)
    return False


def test_a_writer_holds_its_turn_from_begin_to_commit_or_rollback_and_a_reader_takes_none(tmp_path):
    from app.database import read_only_transactions

    path = tmp_path / 'turns.db'
    engine = sa.create_engine(f'sqlite:///{path}')
    configure_engine(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql('CREATE TABLE t (x)')
        assert _turn_taken(path)
    assert not _turn_taken(path)

    connection = engine.connect()
    transaction = connection.begin()
    connection.exec_driver_sql('INSERT INTO t VALUES (1)')
    assert _turn_taken(path)
    transaction.rollback()
    assert not _turn_taken(path)
    connection.close()

    with read_only_transactions(), engine.connect() as reader, reader.begin():
        assert reader.exec_driver_sql('SELECT count(*) FROM t').scalar() == 0
        assert not _turn_taken(path)
    engine.dispose()


def test_the_next_writer_starts_when_the_first_commits_and_reads_what_it_wrote(tmp_path):
    import threading

    path = tmp_path / 'turns.db'
    engine = sa.create_engine(f'sqlite:///{path}')
    configure_engine(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql('CREATE TABLE stock (available INTEGER)')
        connection.exec_driver_sql('INSERT INTO stock VALUES (1)')
    first_began, seen = threading.Event(), []

    def second_writer():
        first_began.wait()
        with engine.begin() as connection:
            seen.append(connection.exec_driver_sql('SELECT available FROM stock').scalar())

    thread = threading.Thread(target=second_writer)
    thread.start()
    with engine.begin() as connection:
        first_began.set()
        thread.join(0.2)
        assert thread.is_alive()  # waiting for its turn, not reading the stock the first is taking
        connection.exec_driver_sql('UPDATE stock SET available = available - 1')
    thread.join(10)
    assert seen == [0]
    engine.dispose()


def test_a_writer_that_begins_a_second_write_on_another_connection_does_not_wait_for_itself(tmp_path):
    path = tmp_path / 'turns.db'
    engine = sa.create_engine(f'sqlite:///{path}')
    configure_engine(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql('CREATE TABLE t (x)')
    with engine.connect() as first, first.begin():
        first.exec_driver_sql('INSERT INTO t VALUES (1)')
        # not its own turn again (which would wait for ever): SQLite's busy timeout answers, as without turns
        with pytest.raises(sa.exc.OperationalError, match='locked'), engine.connect() as second:
            second.connection.dbapi_connection.execute('PRAGMA busy_timeout = 100')
            with second.begin():
                pass
    engine.dispose()
