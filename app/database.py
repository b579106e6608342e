"""Engine set-up and small column types shared by every area."""
import contextlib
import contextvars
import datetime as dt
import fcntl
import functools
import itertools
import json
import os
import re
import threading
import time

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.dialects import postgresql

from importers.base import FIRST_DAY, LAST_DAY


#: whether transactions started now may write and, on SQLite, take the write lock at BEGIN (see configure_engine)
_sqlite_write_intent = contextvars.ContextVar('sqlite_write_intent', default=True)

#: the statements that change the database (SAVEPOINT, SELECT ... FOR UPDATE and PRAGMA do not)
_WRITING_STATEMENT = re.compile(r'\s*(INSERT|UPDATE|DELETE|REPLACE|MERGE|CREATE|DROP|ALTER|TRUNCATE|COPY)\b',
                                re.IGNORECASE)


class ReadOnlyViolation(RuntimeError):
    """A statement that writes ran where nothing may be written: a GET, or a request outside its unit of work."""


def configure_engine(engine: sa.Engine) -> None:
    """Make SQLite behave as Kura needs: WAL, foreign keys, and one writer at a time.

    pysqlite starts transactions lazily and SQLite ignores ``SELECT ... FOR UPDATE``, so two
    requests could both read "1 available" and both allocate it (or one fail with "database is
    locked" half-way).  Taking the write lock at BEGIN (``BEGIN IMMEDIATE``) makes every writing
    transaction wait its turn and read what the previous writer committed.  Plain page views
    declare themselves read-only (``read_only_transactions``) and keep WAL's concurrent reads.

    On every database, a statement that writes while transactions are declared read-only is
    refused (ReadOnlyViolation): a page view never writes, and a request writes only inside its
    unit of work (app.web.unit_of_work).
    """
    @event.listens_for(engine, 'before_cursor_execute')
    def _refuse_writes(_connection, _cursor, statement, _parameters, _context, _executemany):
        if not _sqlite_write_intent.get() and _WRITING_STATEMENT.match(statement):
            raise ReadOnlyViolation(f'a write where transactions are read-only: {statement[:80]!r}')

    if engine.dialect.name != 'sqlite':
        return

    @event.listens_for(engine, 'connect')
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we emit BEGIN ourselves, below
        cursor = dbapi_connection.cursor()
        cursor.execute('PRAGMA foreign_keys = ON')
        cursor.execute('PRAGMA busy_timeout = 60000')
        # LIKE 'abc%' can then use an ordinary index (Japanese text has no case to fold anyway)
        cursor.execute('PRAGMA case_sensitive_like = ON')
        if engine.url.database not in (None, '', ':memory:'):
            # the file and its -wal and -shm (which SQLite creates with the file's mode) for the owner only
            _owner_only(engine.url.database)
            # 8 KiB pages for a new database file (one that has them already keeps its own): an order
            # row with its 20 index entries touches fewer pages, so an import writes and checkpoints
            # less (docs/benchmarks.md; docs/operations.md, to convert)
            cursor.execute('PRAGMA page_size = 8192')
            cursor.execute('PRAGMA journal_mode = WAL')
            cursor.execute('PRAGMA synchronous = NORMAL')
            # 64 MiB of page cache (the default is 2 MiB): an import's index pages stay in memory
            # instead of spilling to the WAL and being read back (docs/benchmarks.md)
            cursor.execute('PRAGMA cache_size = -65536')
            # scratch tables and statement journals in memory: a bulk INSERT ... SELECT inside a
            # transaction journals every page it changes, on file a write each (docs/benchmarks.md)
            cursor.execute('PRAGMA temp_store = MEMORY')
        cursor.close()

    if engine.url.database in (None, '', ':memory:'):
        @event.listens_for(engine, 'begin')
        def _on_begin_in_memory(connection):
            connection.exec_driver_sql('BEGIN IMMEDIATE' if _sqlite_write_intent.get() else 'BEGIN')
        return

    turns = WriterTurns(f'{engine.url.database}-writer.lock')

    @event.listens_for(engine, 'begin')
    def _on_begin(connection):
        if not _sqlite_write_intent.get():
            connection.exec_driver_sql('BEGIN')
            return
        turns.take(connection.connection.info)
        try:
            connection.exec_driver_sql('BEGIN IMMEDIATE')
        except BaseException:
            turns.hand_on(connection.connection.info)
            raise

    # SQLAlchemy announces a COMMIT or ROLLBACK before it sends it: the turn is handed on only once the
    # database has ended the transaction, so the next writer's BEGIN IMMEDIATE finds the lock free
    def end_then_hand_on(connection, end: str):
        if turns.holds(connection.connection.info):
            try:
                getattr(connection.connection.dbapi_connection, end)()
            finally:
                turns.hand_on(connection.connection.info)

    event.listen(engine, 'commit', lambda connection: end_then_hand_on(connection, 'commit'))
    event.listen(engine, 'rollback', lambda connection: end_then_hand_on(connection, 'rollback'))

    @event.listens_for(engine, 'checkin')
    def _on_checkin(_dbapi_connection, record):
        turns.hand_on(record.info)  # a connection returned in a transaction: the pool has rolled it back

    @event.listens_for(engine, 'close')
    def _on_close(_dbapi_connection, record):
        turns.hand_on(record.info)
        turns.forget(record.info)


class WriterTurns:
    """Writers of one SQLite file take turns through a lock file beside it, handed on the moment one ends.

    SQLite makes a writer that finds the write lock taken sleep and try again, sleeping longer each
    time (1, 2, 5, 10, 15, 20, 25 ms...): under a steady trickle of short writes, such as twenty
    packing stations scanning, a writer unlucky a few times in a row waits tens of milliseconds for a
    lock that was free most of that time.  An advisory lock on a file (``flock``) that the writer
    holds from its BEGIN to its COMMIT is free the moment that writer ends, so the next one starts at
    once; SQLite's own lock is then almost always free at BEGIN IMMEDIATE, and its busy timeout stays
    as the fallback (for a process that does not take turns, such as the sqlite3 shell).

    One descriptor per database connection (flock excludes other descriptors, also in the same
    process), opened again in a forked process.  A thread that already holds a turn on one
    connection and begins writing on another does not wait for itself: it goes to SQLite's busy
    timeout as before.  A turn not had within the busy timeout is given up, and SQLite decides.
    """

    POLL = 0.0005  # seconds between two tries for a taken turn
    PATIENCE = 60.0  # seconds, SQLite's busy timeout

    def __init__(self, path: str):
        self.path = path
        self._turns_of_thread: dict[int, int] = {}
        self._counting = threading.Lock()

    def _descriptor(self, info: dict) -> int:
        opened = info.get('writer_turns')
        if opened is None or opened[0] != os.getpid():
            opened = (os.getpid(), os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600))
            info['writer_turns'] = opened
        return opened[1]

    @staticmethod
    def holds(info: dict) -> bool:
        return 'writer_turn_of' in info

    def _count(self, thread: int, change: int) -> None:
        with self._counting:
            turns = self._turns_of_thread.get(thread, 0) + change
            if turns > 0:
                self._turns_of_thread[thread] = turns
            else:
                self._turns_of_thread.pop(thread, None)

    def take(self, info: dict) -> None:
        thread = threading.get_ident()
        if self._turns_of_thread.get(thread):
            return
        descriptor = self._descriptor(info)
        deadline = time.monotonic() + self.PATIENCE
        while True:
            try:
                fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    return
                time.sleep(self.POLL)
        info['writer_turn_of'] = thread
        self._count(thread, +1)

    def hand_on(self, info: dict) -> None:
        thread = info.pop('writer_turn_of', None)
        if thread is None:
            return
        fcntl.flock(info['writer_turns'][1], fcntl.LOCK_UN)
        self._count(thread, -1)

    @staticmethod
    def forget(info: dict) -> None:
        opened = info.pop('writer_turns', None)
        if opened is not None and opened[0] == os.getpid():
            os.close(opened[1])


def _owner_only(database: str) -> None:
    for path in (database, f'{database}-wal', f'{database}-shm'):
        try:
            if os.stat(path).st_mode & 0o077:
                os.chmod(path, 0o600)
        except (FileNotFoundError, PermissionError):
            pass


@contextlib.contextmanager
def read_only_transactions():
    """Within this block, SQLite transactions begin without the write lock."""
    token = _sqlite_write_intent.set(False)
    try:
        yield
    finally:
        _sqlite_write_intent.reset(token)


def set_read_only_transactions(read_only: bool) -> None:
    """Declare the current request read-only (GET pages) or writing; see configure_engine."""
    _sqlite_write_intent.set(not read_only)


def transactions_read_only() -> bool:
    return not _sqlite_write_intent.get()


def commit_keeping_loaded(session) -> None:
    """Commit, keep the objects loaded as they are, and make the rest of the request read-only.

    For an answer drawn from what its own transaction read and wrote (a packing scan): drawing it
    needs no second trip to the database for the expired objects, and on SQLite it happens after
    the write lock is released, not under it, so the next station's scan waits less.
    """
    session.expire_on_commit = False
    session.commit()
    set_read_only_transactions(True)


def schema_heads() -> frozenset[str]:
    """The migration heads of the code: the revisions a database at head has."""
    from flask import current_app

    return _heads(str(current_app.extensions['migrate'].directory))


@functools.cache
def _heads(directory: str) -> frozenset[str]:
    """Read once: the scripts do not change while the process runs, and load balancers poll /healthz
    every few seconds."""
    return frozenset(migration_scripts(directory).get_heads())


def migration_scripts(directory: str | None = None):
    """The code's alembic scripts (the application's migrations folder unless `directory` is given)."""
    from alembic.script import ScriptDirectory
    from flask import current_app

    from app.extensions import migrate

    return ScriptDirectory.from_config(
        migrate.get_config(directory=directory or str(current_app.extensions['migrate'].directory)))


def database_revisions(connection: sa.Connection) -> frozenset[str]:
    """The revisions alembic has recorded in this database; empty for a database never migrated."""
    from alembic.runtime.migration import MigrationContext

    return frozenset(MigrationContext.configure(connection).get_current_heads())


#: the largest value of an Integer column on either database (PostgreSQL's integer is 32 bits); ids too
INT_MAX = 2 ** 31 - 1


def parse_day(text: str) -> dt.date:
    """An ISO date (2025-10-07) between FIRST_DAY and LAST_DAY; ValueError for anything else."""
    day = dt.date.fromisoformat(text)
    if not FIRST_DAY <= day <= LAST_DAY:
        raise ValueError(f'{text} is outside {FIRST_DAY} to {LAST_DAY}')
    return day


def parse_int(text: str, low: int = 0, high: int = INT_MAX) -> int:
    """Digits 0-9 read as an integer between `low` and `high`; ValueError for anything else.

    int() also reads other scripts' digits and spaces, and '²'.isdigit() is true though int() refuses it.
    """
    if not (text.isascii() and text.isdigit()):
        raise ValueError(f'{text!r} is not a whole number')
    value = int(text)
    if not low <= value <= high:
        raise ValueError(f'{value} is outside {low} to {high}')
    return value


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class UTCDateTime(sa.TypeDecorator):
    """A point in time, stored in UTC and always read back timezone-aware (UTC).

    SQLite has no time zones and hands back naive values; PostgreSQL hands back aware ones.
    One type makes both the same to the code above.
    """

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f'naive datetime {value!r}: Kura stores only timezone-aware times')
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == 'sqlite' else value

    def bind_processor(self, dialect):
        if dialect.name != 'sqlite':
            return super().bind_processor(dialect)

        def process(value):
            # SQLAlchemy's own SQLite text (2025-10-07 00:50:26.000000), made by the datetime module in C
            # instead of the general path, for the many order times of an import
            return None if value is None else self.process_bind_param(value, dialect).isoformat(' ', 'microseconds')
        return process

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def in_ids(column, ids: list, dialect: sa.Dialect):
    """``column IN (ids)``; on PostgreSQL ``column = ANY(array)``, one parameter however many ids.

    Thousands of IN parameters cost PostgreSQL and psycopg more than the rows they select (every
    placeholder rendered, parsed and planned; docs/benchmarks.md).
    On SQLite a long list goes as one JSON array (``json_each``).
    """
    if dialect.name == 'postgresql':
        return column == sa.any_(sa.bindparam(None, list(ids), type_=postgresql.ARRAY(column.type)))
    if dialect.name == 'sqlite' and len(ids) > 1000:
        # one JSON parameter: SQLite refuses more than 32,766 variables in a statement (as built by default)
        values = sa.func.json_each(sa.bindparam(None, json.dumps(list(ids)), type_=sa.String)).table_valued('value')
        return column.in_(sa.select(values.c.value))
    return column.in_(ids)


def new_ids(connection: sa.Connection, table: sa.Table, count: int) -> list[int]:
    """Primary keys for `count` rows about to be inserted, so that a bulk insert need not read them back.

    PostgreSQL: the next values of the table's id sequence.  SQLite: the ids after the largest, as
    SQLite itself would give them; a writing transaction holds the database's write lock from its
    BEGIN, so nobody can take them meanwhile (and a clash would fail on the primary key, not pass).
    """
    if count == 0:
        return []
    if connection.dialect.name == 'postgresql':
        return list(connection.execute(
            sa.text("SELECT nextval(pg_get_serial_sequence(:table, 'id')) FROM generate_series(1, :count)"),
            {'table': table.name, 'count': count}).scalars())
    last = connection.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
    return list(range(last + 1, last + 1 + count))


def analyze_after_bulk_load(connection: sa.Connection, tables: list[sa.Table], rows: int) -> None:
    """Refresh PostgreSQL's statistics when a transaction has just written a large part of these tables.

    The planner still believes the tables are as they were, and on a big import chose plans that
    read every new order once per id asked for (docs/benchmarks.md).  ANALYZE in the same
    transaction counts its own new rows.  Skipped when the rows are few against what the table had.
    """
    if connection.dialect.name != 'postgresql' or rows < 1000:
        return
    before = connection.execute(sa.text('SELECT reltuples FROM pg_class WHERE oid = CAST(:table AS regclass)'),
                                {'table': tables[0].name}).scalar() or 0
    if rows >= 0.1 * before:
        connection.exec_driver_sql('ANALYZE ' + ', '.join(connection.dialect.identifier_preparer.format_table(t)
                                                          for t in tables))


def insert_columns(connection: sa.Connection, table: sa.Table, columns: dict[str, object]) -> None:
    """INSERT many rows given column by column: a list of values per column, or one value for every row.

    Core's executemany builds and type-processes a parameter dict per row, which on an import of
    50,000 orders costs as much as the database's own work.  Here each column's bind processor is
    looked up once, a value shared by every row is processed once, and the driver gets plain
    tuples: one COPY on PostgreSQL; on SQLite an executemany, by way of a scratch table from
    _SQLITE_STAGED_ROWS rows (_insert_staged()).  Every column with a Python-side
    default must be given (nothing fills it in here).
    """
    lengths = {len(value) for value in columns.values() if isinstance(value, list)}
    if len(lengths) != 1:
        raise ValueError(f'insert_columns into {table.name}: the column lists differ in length ({sorted(lengths)})')
    count = lengths.pop()
    if count == 0:
        return
    forgotten = [c.name for c in table.columns if c.default is not None and c.name not in columns]
    if forgotten:
        raise ValueError(f'insert into {table.name}: no value for {", ".join(forgotten)}, which has a default')
    dialect = connection.dialect
    per_row, shared = {}, {}
    for key, value in columns.items():
        process = table.c[key].type.dialect_impl(dialect).bind_processor(dialect)
        if isinstance(value, list):
            per_row[key] = _processed(process, value) if process else value
        else:
            shared[key] = process(value) if process else value
    preparer = dialect.identifier_preparer
    if dialect.name == 'sqlite' and count >= _SQLITE_STAGED_ROWS:
        _insert_staged(connection, table, per_row, shared)
        return
    values = [*per_row.values(), *(itertools.repeat(value, count) for value in shared.values())]
    target = f'{preparer.format_table(table)} ({", ".join(map(preparer.quote, [*per_row, *shared]))})'
    if dialect.name == 'postgresql':
        # COPY: the server takes the rows as one stream instead of executing an INSERT per row
        statement, driver_error = f'COPY {target} FROM STDIN', dialect.loaded_dbapi.Error
        try:
            with connection.connection.driver_connection.cursor() as cursor, cursor.copy(statement) as copy:
                for row in zip(*values):
                    copy.write_row(row)
        except driver_error as exc:
            # the same exception (IntegrityError, ...) as a statement run through SQLAlchemy would raise
            raise sa.exc.DBAPIError.instance(statement, None, exc, driver_error) from exc
        return
    connection.exec_driver_sql(f'INSERT INTO {target} VALUES ({_marks(dialect, len(values))})', list(zip(*values)))


def with_defaults(table: sa.Table, columns: dict[str, object]) -> dict[str, object]:
    """`columns` for insert_columns(), completed from the table itself: every column not given gets its
    Python-side default (a callable one called once, for every row), so a writer names only what it knows
    and a column added to the model later is not left out of its bulk insert.

    :raise ValueError: a NOT NULL column has neither a value nor a default (its writer must say what it holds)
    """
    completed, missing = dict(columns), []
    for column in table.columns:
        if column.name in completed:
            continue
        default = column.default
        if default is not None and default.is_scalar and not isinstance(default.arg, list | dict):
            completed[column.name] = default.arg
        elif default is not None and default.is_callable:
            value = default.arg(None)
            if isinstance(value, list | dict):
                raise ValueError(f'insert into {table.name}: give {column.name} (its default is a list or dict)')
            completed[column.name] = value
        elif not (column.nullable or column.server_default is not None or column.autoincrement is True
                  or (column.primary_key and column.autoincrement == 'auto')):
            missing.append(column.name)
    if missing:
        raise ValueError(f'insert into {table.name}: no value and no default for {", ".join(missing)}')
    return completed


def _processed(process, values: list) -> list:
    """process() of each value, called once per distinct object: rows often share one (a status, a JSON note)."""
    ids = list(map(id, values))
    distinct = dict(zip(ids, values))
    done = {key: process(value) for key, value in distinct.items()}
    return list(map(done.__getitem__, ids))


def _marks(dialect: sa.Dialect, count: int) -> str:
    return ', '.join(['?' if dialect.paramstyle == 'qmark' else '%s'] * count)


#: from this many rows, SQLite's bulk inserts go through a scratch table (_insert_staged)
_SQLITE_STAGED_ROWS = 500


def _insert_staged(connection: sa.Connection, table: sa.Table, per_row: dict[str, list], shared: dict[str, object]):
    """INSERT many rows into a SQLite table with many indexes, by way of a temporary table.

    An executemany runs the INSERT once per row, and each run opens the table and every one of its
    indexes again: for the orders table (20 indexes) that is most of the time the rows take.  Loaded
    into a bare temporary table first, the rows go into the real one in one INSERT ... SELECT, which
    opens them once (docs/benchmarks.md).  Only the columns that vary go through the scratch table;
    a value every row shares is bound once, in the SELECT.  The scratch columns have no type, so
    each value reaches the real column exactly as bound, and gets the column's own affinity there.
    """
    preparer = connection.dialect.identifier_preparer
    scratch = preparer.quote(f'kura_staged_{table.name}')
    varying = ', '.join(map(preparer.quote, per_row))
    connection.exec_driver_sql(f'CREATE TEMP TABLE {scratch} ({varying})')
    try:
        connection.exec_driver_sql(f'INSERT INTO temp.{scratch} VALUES ({_marks(connection.dialect, len(per_row))})',
                                   list(zip(*per_row.values())))
        listed = ', '.join(map(preparer.quote, [*per_row, *shared]))
        selected = ', '.join([varying, *[_marks(connection.dialect, 1)] * len(shared)])
        connection.exec_driver_sql(f'INSERT INTO {preparer.format_table(table)} ({listed}) '
                                   f'SELECT {selected} FROM temp.{scratch}', tuple(shared.values()))
    finally:
        connection.exec_driver_sql(f'DROP TABLE temp.{scratch}')


@contextlib.contextmanager
def bulk_work():
    """Pause Python's cycle collector while a bulk job builds hundreds of thousands of objects.

    Each collection walks every object still alive, and an import keeps all of its rows alive
    until it is written, so the collector's walks grow with the file (docs/benchmarks.md).  The
    objects made meanwhile hold no cycles that matter; whatever does is collected afterwards.
    """
    import gc

    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
