"""Backups that prove themselves: one archive of the database and the instance's secrets, with a manifest.

An archive (``kura-backup-<UTC time>.tar.gz``, mode 0600) holds:

- ``manifest.json``: when, the code's migration head and the database's revision, the dialect, the
  row count of every table, and the size and SHA-256 of every other member;
- ``database/kura.sqlite3`` (SQLite's online backup API) or ``database/kura.pgdump`` (``pg_dump -Fc``);
- ``instance/<name>`` for each of ``INSTANCE_FILES`` that exists.

The row counts come from the very snapshot that was archived (the SQLite copy itself; on PostgreSQL a
snapshot exported to ``pg_dump``), so a restore can be checked against them while the shop keeps
writing.  Uploaded files (order uploads, product photos) live in the database and come with it.

A restore never touches the live database before the archive has been restored into a scratch
database and proven there: checksums, integrity, migration revision, every table's row count.
"""
import contextlib
import dataclasses
import glob
import hashlib
import io
import json
import os
import re
import secrets
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
import zlib
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from app.database import database_revisions, migration_scripts, read_only_transactions, schema_heads, utcnow
from app.errors import UserError
from app.extensions import db


MANIFEST = 'manifest.json'
#: the manifest's layout; a restore refuses a format it does not know
FORMAT = 1
DATABASE_MEMBERS = {'sqlite': 'database/kura.sqlite3', 'postgresql': 'database/kura.pgdump'}
#: the instance folder's files worth keeping; the job queue (huey.db), logs and older backups are not
INSTANCE_FILES = ('secret_key',)
ARCHIVE_NAME = re.compile(r'kura-backup-\d{8}T\d{6}\.\d{6}Z\.tar\.gz')
_CHUNK = 1024 * 1024


@dataclasses.dataclass
class BackupResult:
    path: Path
    manifest: dict
    #: older archives that the retention rule deleted
    deleted: list[Path]


@dataclasses.dataclass
class Check:
    """One thing a verification proved, or failed to."""

    name: str
    ok: bool
    detail: str

    def __str__(self):
        return f'{"ok" if self.ok else "FAILED"}  {self.name}: {self.detail}'


@dataclasses.dataclass
class Verification:
    archive: Path
    checks: list[Check] = dataclasses.field(default_factory=list)
    manifest: dict | None = None
    #: the restored schema is older than the code: `flask db upgrade` brings it to head after a restore
    needs_upgrade: bool = False
    restored: bool = False
    #: the backup of the live database taken before it was replaced
    safety_backup: Path | None = None

    @property
    def ok(self) -> bool:
        return bool(self.checks) and all(check.ok for check in self.checks)

    def add(self, name: str, ok: bool, detail: str) -> bool:
        self.checks.append(Check(name, ok, detail))
        return ok


# --- making a backup --------------------------------------------------------------------------------

def create_backup(directory: Path, *, keep: int) -> BackupResult:
    """Write a new archive into `directory` (made 0700 if new), then keep only the newest `keep` (0: all).

    :raise UserError: the database cannot be backed up (an in-memory SQLite database, pg_dump missing
        or failing); no archive is left behind then
    """
    directory = Path(directory)
    if not directory.exists():
        directory.mkdir(mode=0o700, parents=True)
        directory.chmod(0o700)  # whatever the umask said
    created = utcnow()
    instance = Path(current_app.config['INSTANCE_PATH'])
    # the scratch copy sits beside the archives: the same disk, which has room for them, not /tmp
    with tempfile.TemporaryDirectory(prefix='.kura-backup-', dir=directory) as scratch:
        work = Path(scratch)
        dialect, database_file, tables, revisions = _dump_database(work)
        files = {DATABASE_MEMBERS[dialect]: database_file}
        files.update({f'instance/{name}': instance / name for name in INSTANCE_FILES if (instance / name).is_file()})
        manifest = {
            'format': FORMAT,
            'created_at': created.isoformat(),
            'dialect': dialect,
            'code_heads': sorted(schema_heads()),
            'database_revisions': sorted(revisions),
            'tables': tables,
            'files': {member: _describe_file(path) for member, path in files.items()},
        }
        path = _write_archive(directory, f'kura-backup-{created:%Y%m%dT%H%M%S.%fZ}.tar.gz', manifest, files)
    return BackupResult(path, manifest, apply_retention(directory, keep))


def apply_retention(directory: Path, keep: int) -> list[Path]:
    """Delete all but the newest `keep` archives in `directory` (its own files only; 0 keeps all)."""
    if keep <= 0:
        return []
    archives = sorted(p for p in Path(directory).iterdir() if ARCHIVE_NAME.fullmatch(p.name) and p.is_file())
    # the names carry the UTC time, so their order is their age
    old = archives[:-keep]
    for path in old:
        path.unlink()
    return old


def upgrade_would_change_schema() -> bool:
    """Whether `flask db upgrade` has anything to do on a database worth keeping.

    A new, empty database has nothing to back up, and one already at head will not change: both
    are the everyday `make run`, which must stay quick and must not fill the disk with archives.
    """
    with read_only_transactions(), db.engine.connect() as connection:
        current = database_revisions(connection)
    return bool(current) and current != schema_heads()


def _dump_database(work: Path) -> tuple[str, Path, dict[str, int], frozenset[str]]:
    engine = db.engine
    if engine.dialect.name == 'sqlite':
        return ('sqlite', *_dump_sqlite(engine.url.database, work / 'kura.sqlite3'))
    if engine.dialect.name == 'postgresql':
        return ('postgresql', *_dump_postgresql(engine, work / 'kura.pgdump'))
    raise UserError(f'cannot back up a {engine.dialect.name} database')


def _dump_sqlite(database: str | None, target: Path) -> tuple[Path, dict[str, int], frozenset[str]]:
    if database in (None, '', ':memory:') or not Path(database).is_file():
        raise UserError(f'no SQLite database file to back up ({database or "in memory"})')
    source = sqlite3.connect(database, timeout=60)
    try:
        copy = sqlite3.connect(target)
        try:
            # in one step: the copy is one read transaction's snapshot, however the shop writes meanwhile
            source.backup(copy)
            # a file that stands alone, without a write-ahead log beside it
            copy.execute('PRAGMA journal_mode = DELETE')
        finally:
            copy.close()
    finally:
        source.close()
    with _engine(f'sqlite:///{target}') as engine, engine.connect() as connection:
        tables, revisions = _describe(connection)
    return target, tables, revisions


def _dump_postgresql(engine: sa.Engine, target: Path) -> tuple[Path, dict[str, int], frozenset[str]]:
    with engine.connect().execution_options(isolation_level='REPEATABLE READ') as connection, connection.begin():
        # the counts and pg_dump read the same snapshot, which this transaction keeps alive until the dump ends
        snapshot = connection.exec_driver_sql('SELECT pg_export_snapshot()').scalar_one()
        tables, revisions = _describe(connection)
        _run_postgresql('pg_dump', '--format=custom', '--no-owner', '--no-privileges', f'--snapshot={snapshot}',
                        '--file', str(target), url=engine.url)
    return target, tables, revisions


def _describe(connection: sa.Connection) -> tuple[dict[str, int], frozenset[str]]:
    """Every table's row count, and the schema revision, as this connection sees the database."""
    names = sorted(sa.inspect(connection).get_table_names())
    counts = {name: connection.execute(sa.select(sa.func.count()).select_from(sa.table(name))).scalar_one()
              for name in names}
    return counts, database_revisions(connection)


def _describe_file(path: Path) -> dict:
    digest = hashlib.sha256()
    with path.open('rb') as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return {'size': path.stat().st_size, 'sha256': digest.hexdigest()}


def _write_archive(directory: Path, name: str, manifest: dict, files: dict[str, Path]) -> Path:
    """The archive, written under a hidden name and renamed when whole: a crash leaves no half backup."""
    final, partial = directory / name, directory / f'.{name}.partial'
    descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(descriptor, 'wb') as raw:
            with tarfile.open(fileobj=raw, mode='w:gz') as tar:
                content = json.dumps(manifest, indent=2, ensure_ascii=False).encode()
                tar.addfile(_member(MANIFEST, len(content)), io.BytesIO(content))
                for member, path in files.items():
                    with path.open('rb') as stream:
                        tar.addfile(_member(member, path.stat().st_size), stream)
            raw.flush()
            os.fsync(raw.fileno())
        os.rename(partial, final)
    finally:
        partial.unlink(missing_ok=True)
    return final


def _member(name: str, size: int) -> tarfile.TarInfo:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = size, 0o600, int(utcnow().timestamp())
    return info


# --- verifying and restoring ---------------------------------------------------------------------------

def verify_backup(archive: Path) -> Verification:
    """Restore `archive` into a scratch database and prove it; the live database is not touched."""
    with _restored_in_scratch(Path(archive)) as (verification, _scratch):
        return verification


def restore_backup(archive: Path, *, safety_backup_to: Path | None) -> Verification:
    """Prove `archive` as verify_backup() does, and only then replace the live database and instance files.

    :param safety_backup_to: where to back up the live database first (None: no backup), so that
        restoring the wrong archive can be undone
    """
    with _restored_in_scratch(Path(archive)) as (verification, scratch):
        if not verification.ok:
            return verification
        if verification.manifest['dialect'] != db.engine.dialect.name:
            verification.add('database', False, f'the archive holds a {verification.manifest["dialect"]} database, '
                                                f'the live one is {db.engine.dialect.name}: nothing restored')
            return verification
        # this process's own session and connections must not hold locks that the restore would wait for
        db.session.remove()
        if safety_backup_to is not None and _live_tables():
            # no retention here: it could delete the very archive being restored, the oldest of the folder
            verification.safety_backup = create_backup(safety_backup_to, keep=0).path
        db.engine.dispose()
        if scratch.dialect == 'sqlite':
            _replace_sqlite(scratch.location, db.engine.url.database)
        else:
            _replace_postgresql(scratch, db.engine.url)
        _restore_instance_files(scratch.files)
        verification.restored = True
        return verification


@dataclasses.dataclass
class _Scratch:
    dialect: str
    #: the SQLite file, or the PostgreSQL database's name
    location: str
    dump: Path
    tables: set[str]
    #: instance files extracted from the archive: name -> path
    files: dict[str, Path]


@contextlib.contextmanager
def _restored_in_scratch(archive: Path) -> Iterator[tuple[Verification, _Scratch | None]]:
    verification = Verification(archive)
    instance = Path(current_app.config['INSTANCE_PATH'])
    # the extracted files go where the live database is (the instance folder): the same disk as a rule
    with tempfile.TemporaryDirectory(prefix='.kura-restore-', dir=instance) as scratch_dir:
        work = Path(scratch_dir)
        manifest = _unpack(archive, work, verification)
        if manifest is None:
            yield verification, None
            return
        verification.manifest = manifest
        dialect = manifest['dialect']
        dump = work / DATABASE_MEMBERS[dialect]
        files = {member.removeprefix('instance/'): work / member
                 for member in manifest['files'] if member.startswith('instance/')}
        if dialect == 'sqlite':
            scratch = _Scratch(dialect, str(dump), dump, set(), files)
            with _engine(f'sqlite:///{dump}') as engine:
                _prove(engine, verification, scratch)
            yield verification, scratch
            return
        if db.engine.dialect.name != 'postgresql':
            verification.add('database', False, 'a PostgreSQL backup is restored and verified on a PostgreSQL '
                                                'server: set DATABASE_URL to it')
            yield verification, None
            return
        with _postgresql_scratch(db.engine.url) as (name, url):
            scratch = _Scratch(dialect, name, dump, set(), files)
            try:
                _run_postgresql('pg_restore', '--no-owner', '--no-privileges', '--exit-on-error', str(dump),
                                url=url.set(database=name))
            except UserError as exc:
                verification.add('pg_restore', False, str(exc))
                yield verification, scratch
                return
            verification.add('pg_restore', True, 'restored into a scratch database without an error')
            with _engine(url.set(database=name)) as engine:
                _prove(engine, verification, scratch)
            yield verification, scratch


def _unpack(archive: Path, work: Path, verification: Verification) -> dict | None:
    """Extract the manifest's files into `work`, checking each against it; None when the archive fails."""
    try:
        with tarfile.open(archive, 'r:gz') as tar:
            members = {m.name: m for m in tar.getmembers()}
            if MANIFEST not in members or not members[MANIFEST].isfile():
                verification.add('manifest', False, f'{archive.name} has no {MANIFEST}: not a Kura backup')
                return None
            manifest = json.load(tar.extractfile(members[MANIFEST]))
            problem = _manifest_problem(manifest)
            if problem:
                verification.add('manifest', False, problem)
                return None
            listed = set(manifest['files'])
            unlisted = sorted(set(members) - listed - {MANIFEST})
            if unlisted:
                verification.add('checksums', False, f'{", ".join(unlisted)}: in the archive, not in the manifest')
                return None
            for name in sorted(listed):
                member = members.get(name)
                if member is None or not member.isfile():
                    verification.add('checksums', False, f'{name}: listed in the manifest, missing from the archive')
                    return None
                target = work / name
                target.parent.mkdir(parents=True, exist_ok=True)
                digest, size = hashlib.sha256(), 0
                with tar.extractfile(member) as source, target.open('wb') as copy:
                    while chunk := source.read(_CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        copy.write(chunk)
                expected = manifest['files'][name]
                if (size, digest.hexdigest()) != (expected['size'], expected['sha256']):
                    verification.add('checksums', False, f'{name}: its SHA-256 or size differs from the manifest '
                                                         '(the archive is damaged or was altered)')
                    return None
    except (OSError, tarfile.TarError, EOFError, zlib.error, ValueError) as exc:
        verification.add('archive', False, f'{archive.name} cannot be read: {exc}')
        return None
    verification.add('checksums', True, f'{len(listed)} files match the manifest')
    return manifest


def _manifest_problem(manifest) -> str | None:
    if not isinstance(manifest, dict) or manifest.get('format') != FORMAT:
        return f'{MANIFEST} is not a Kura backup manifest of format {FORMAT}'
    dialect = manifest.get('dialect')
    if dialect not in DATABASE_MEMBERS:
        return f'{MANIFEST}: unknown database kind {dialect!r}'
    allowed = {DATABASE_MEMBERS[dialect], *(f'instance/{name}' for name in INSTANCE_FILES)}
    files = manifest.get('files')
    if not isinstance(files, dict) or DATABASE_MEMBERS[dialect] not in files:
        return f'{MANIFEST} lists no {DATABASE_MEMBERS[dialect]}'
    if not isinstance(manifest.get('tables'), dict) or not isinstance(manifest.get('database_revisions'), list):
        return f'{MANIFEST} has no table counts or no schema revision'
    strange = sorted(set(files) - allowed)
    if strange:
        # only names we know are ever written anywhere: an archive cannot place a file of its choosing
        return f'{MANIFEST} lists files a Kura backup never holds: {", ".join(strange)}'
    return None


def _prove(engine: sa.Engine, verification: Verification, scratch: _Scratch) -> None:
    """The checks on the restored scratch database: integrity, schema revision, row counts."""
    manifest = verification.manifest
    with engine.connect() as connection:
        if scratch.dialect == 'sqlite':
            try:
                answer = [row[0] for row in connection.exec_driver_sql('PRAGMA integrity_check')]
            except sa.exc.DBAPIError as exc:
                answer = [str(exc.orig)]
            if not verification.add('integrity', answer == ['ok'], 'ok' if answer == ['ok'] else '; '.join(answer[:5])):
                return
        tables, revisions = _describe(connection)
    scratch.tables = set(tables)
    _check_revision(verification, revisions, frozenset(manifest['database_revisions']))
    wrong = [f'{name}: {tables.get(name, "no table")} restored, manifest {manifest["tables"].get(name, "no table")}'
             for name in sorted(set(tables) | set(manifest['tables']))
             if tables.get(name) != manifest['tables'].get(name)]
    verification.add('row counts', not wrong, '; '.join(wrong) if wrong else
                     f'{len(tables)} tables, {sum(tables.values())} rows, as in the manifest')


def _check_revision(verification: Verification, restored: frozenset[str], recorded: frozenset[str]) -> None:
    from alembic.script.revision import RevisionError
    from alembic.util import CommandError

    if restored != recorded:
        verification.add('schema', False, f'revision {_revs(restored)} restored, manifest {_revs(recorded)}')
        return
    heads = schema_heads()
    if restored == heads:
        verification.add('schema', True, f'at the code\'s head ({_revs(heads)})')
        return
    if not restored:
        verification.add('schema', False, 'the database was never migrated (no alembic revision)')
        return
    scripts = migration_scripts()
    try:
        for revision in restored:
            scripts.get_revision(revision)
    except (RevisionError, CommandError):
        verification.add('schema', False, f'revision {_revs(restored)} is newer than this code ({_revs(heads)}): '
                                          'restore it with the code it was made with')
        return
    verification.needs_upgrade = True
    verification.add('schema', True, f'revision {_revs(restored)}, older than the code ({_revs(heads)}): '
                                     'run flask db upgrade after restoring')


def _revs(revisions) -> str:
    return ', '.join(sorted(revisions)) or 'none'


def _live_tables() -> list[str]:
    with read_only_transactions(), db.engine.connect() as connection:
        return sa.inspect(connection).get_table_names()


def _replace_sqlite(scratch: str, live: str | None) -> None:
    if live in (None, '', ':memory:'):
        raise UserError('the live database is in memory: nothing to restore into')
    source = sqlite3.connect(scratch)
    try:
        # SQLite's backup API writes the live file under its own write lock, page by page in one step:
        # the other processes' connections stay valid and see the restored database after it
        target = sqlite3.connect(live, timeout=60)
        try:
            source.backup(target)
        except sqlite3.Error as exc:
            # e.g. a live database in WAL mode with another page size than the backup's: nothing was written
            raise UserError(f'SQLite did not write the backup into {live}: {exc}') from None
        finally:
            target.close()
    finally:
        source.close()


def _replace_postgresql(scratch: _Scratch, live: sa.URL) -> None:
    """pg_restore --clean into the live database, with the tables the archive lacks dropped, in one transaction."""
    with _engine(live) as engine, engine.connect() as connection:
        extra = sorted(set(sa.inspect(connection).get_table_names()) - scratch.tables)
        quote = connection.dialect.identifier_preparer.quote
    work = scratch.dump.parent
    # tables a later migration made would survive --clean and stop the next `flask db upgrade`
    preamble = work / 'drop-tables-not-in-backup.sql'
    preamble.write_text(''.join(f'DROP TABLE IF EXISTS {quote(name)} CASCADE;\n' for name in extra))
    script = work / 'restore.sql'
    _run_postgresql('pg_restore', '--clean', '--if-exists', '--no-owner', '--no-privileges', '--file', str(script),
                    str(scratch.dump), url=None)
    # psql runs both files in one transaction: the live database is replaced whole or not at all
    _run_postgresql('psql', '--no-psqlrc', '--quiet', '--single-transaction', '--set', 'ON_ERROR_STOP=1',
                    '--file', str(preamble), '--file', str(script), url=live)


def _restore_instance_files(files: dict[str, Path]) -> None:
    instance = Path(current_app.config['INSTANCE_PATH'])
    for name, source in files.items():
        target = instance / name
        draft = instance / f'.{name}.{secrets.token_hex(4)}'
        descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, 'wb') as copy, source.open('rb') as stream:
                shutil.copyfileobj(stream, copy)
                copy.flush()
                os.fsync(copy.fileno())
            os.replace(draft, target)
        finally:
            draft.unlink(missing_ok=True)


# --- databases and PostgreSQL's programs ---------------------------------------------------------------

@contextlib.contextmanager
def _engine(url) -> Iterator[sa.Engine]:
    """An engine of its own for a scratch or copied database, closed after use (no pool left behind)."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        yield engine
    finally:
        engine.dispose()


@contextlib.contextmanager
def _postgresql_scratch(live: sa.URL) -> Iterator[tuple[str, sa.URL]]:
    """A new, empty database on the live database's server, dropped afterwards; yields its name and the
    live URL, on which the scratch one's URL is made."""
    name = f'kura_restore_{secrets.token_hex(6)}'
    with _engine(live) as admin:
        with admin.connect().execution_options(isolation_level='AUTOCOMMIT') as connection:
            try:
                connection.exec_driver_sql(f'CREATE DATABASE {name}')
            except sa.exc.DBAPIError as exc:
                raise UserError(f'cannot create a scratch database to verify in: {exc.orig}') from None
        try:
            yield name, live
        finally:
            with admin.connect().execution_options(isolation_level='AUTOCOMMIT') as connection:
                connection.exec_driver_sql(f'DROP DATABASE IF EXISTS {name} WITH (FORCE)')


def postgresql_program(name: str) -> Path:
    """A PostgreSQL program (pg_dump, pg_restore, psql, initdb): from KURA_PG_BIN when set, else the newest
    version installed the Debian way (/usr/lib/postgresql/<version>/bin; pg_dump must not be older
    than the server), else the PATH."""
    if os.environ.get('KURA_PG_BIN'):
        program = Path(os.environ['KURA_PG_BIN']) / name
        if not program.is_file():
            raise UserError(f'{name} is not in KURA_PG_BIN ({os.environ["KURA_PG_BIN"]})')
        return program
    candidates = sorted(glob.glob(f'/usr/lib/postgresql/*/bin/{name}'), key=lambda p: int(p.split('/')[4]))
    if candidates:
        return Path(candidates[-1])
    found = shutil.which(name)
    if found:
        return Path(found)
    raise UserError(f'{name} not found: install PostgreSQL (apt-get install postgresql-client, or postgresql '
                    'for the server programs) or set KURA_PG_BIN to the folder that holds it')


def _run_postgresql(program: str, *args: str, url: sa.URL | None) -> None:
    """Run a PostgreSQL program on the database of `url` (none: offline); the password goes by environment."""
    env = {**os.environ}
    command = [str(postgresql_program(program)), *args]
    if url is not None:
        if url.password:
            env['PGPASSWORD'] = url.password
        command += ['--dbname', url._replace(password=None).set(drivername='postgresql')
                    .render_as_string(hide_password=False)]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise UserError(f'{program} failed: {done.stderr.strip() or f"exit code {done.returncode}"}')
