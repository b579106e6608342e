"""Backups of a running instance, restored into a scratch database and proven, on SQLite and PostgreSQL."""
import datetime as dt
import io
import json
import stat
import tarfile
import threading
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa

from app.catalog.models import Product
from app.catalog.services import ProductData, create_product
from app.database import database_revisions, migration_scripts
from app.extensions import db
from app.inventory.models import Location
from app.operations.backup import DATABASE_MEMBERS
from tests.conftest import count, make_app


def backup(runner, directory: Path, *args: str) -> Path:
    """Run `flask backup -o directory` and return the archive it wrote."""
    result = runner.invoke(args=['backup', '-o', str(directory), *args])
    assert result.exit_code == 0, result.output
    return Path(result.output.split()[1])


def manifest_of(archive: Path) -> dict:
    with tarfile.open(archive) as tar:
        return json.load(tar.extractfile('manifest.json'))


def rewrite(archive: Path, change) -> None:
    """Write `archive` again with `change(name, content) -> content` applied to each member."""
    with tarfile.open(archive) as tar:
        members = [(m, tar.extractfile(m).read()) for m in tar.getmembers()]
    with tarfile.open(archive, 'w:gz') as tar:
        for member, content in members:
            content = change(member.name, content)
            member.size = len(content)
            tar.addfile(member, io.BytesIO(content))


def database_member() -> str:
    return DATABASE_MEMBERS[db.engine.dialect.name]


def keep_writing_products(app, started: threading.Event, stop: threading.Event, written: list) -> None:
    """What the shop does meanwhile: a product created and committed at a time, each in its own transaction."""
    with app.app_context():
        while not stop.is_set():
            n = len(written)
            create_product(ProductData(sku=f'W-{n:05d}', name=f'書き込み中 {n}', jan=None, price=100), actor=None)
            db.session.commit()
            written.append(n)
            if n == 20:
                started.set()
        db.session.remove()


def test_a_backup_taken_while_the_shop_writes_is_restored_and_proven(app, runner, tmp_path):
    started, stop, written = threading.Event(), threading.Event(), []
    writer = threading.Thread(target=keep_writing_products, args=(app, started, stop, written))
    writer.start()
    try:
        assert started.wait(60)
        archive = backup(runner, tmp_path)
        during = len(written)
        while len(written) < during + 20 and writer.is_alive():
            stop.wait(0.01)
    finally:
        stop.set()
        writer.join()

    products = manifest_of(archive)['tables']['products']
    # a snapshot taken part-way: after the first writes, before the last
    assert 20 < products < len(written) == count(Product)
    result = runner.invoke(args=['restore', str(archive), '--verify'])
    assert result.exit_code == 0, result.output
    assert 'ok  row counts:' in result.output
    assert result.output.rstrip().endswith('proven; the live database was not touched')
    assert count(Product) == len(written)


def test_the_archive_is_private_and_holds_a_manifest_of_every_file(runner, make_product, tmp_path):
    make_product()
    archive = backup(runner, tmp_path / 'backups')

    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    assert stat.S_IMODE(archive.parent.stat().st_mode) == 0o700
    manifest = manifest_of(archive)
    assert manifest['dialect'] == db.engine.dialect.name
    assert manifest['database_revisions'] == manifest['code_heads']
    assert manifest['tables']['products'] == 1
    assert set(manifest['files']) == {database_member()}
    assert all(len(f['sha256']) == 64 for f in manifest['files'].values())


@pytest.mark.parametrize('member', ['database', 'manifest.json'])
def test_an_altered_archive_is_refused_naming_what_differs(runner, make_product, tmp_path, member):
    make_product()
    make_product()
    archive = backup(runner, tmp_path)
    if member == 'database':
        def change(name, content):
            if name != database_member():
                return content
            middle = len(content) // 2
            return content[:middle] + bytes([content[middle] ^ 0xFF]) + content[middle + 1:]
        expected = f'FAILED  checksums: {database_member()}: its SHA-256 or size differs from the manifest'
    else:
        def change(name, content):
            if name != 'manifest.json':
                return content
            manifest = json.loads(content)
            manifest['tables']['products'] = 3
            return json.dumps(manifest).encode()
        expected = 'FAILED  row counts: products: 2 restored, manifest 3'
    rewrite(archive, change)

    result = runner.invoke(args=['restore', str(archive), '--verify'])
    assert result.exit_code == 1
    assert expected in result.output
    assert 'NOT proven; the live database was not touched' in result.output


def test_restore_brings_back_what_was_deleted_and_keeps_the_database_it_replaced(app, runner, make_location,
                                                                                 make_product, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, 'BACKUP_DIR', tmp_path)
    monkeypatch.setitem(app.config, 'BACKUP_KEEP', 1)
    secret = Path(app.config['INSTANCE_PATH']) / 'secret_key'
    secret.write_text('the key the sessions were signed with')
    for code in ('A-01-01-1', 'A-01-01-2', 'A-01-01-3'):
        make_location(code)
    make_product(sku='KEPT')
    archive = backup(runner, tmp_path)
    assert 'instance/secret_key' in manifest_of(archive)['files']

    db.session.execute(sa.delete(Location).where(Location.code != 'A-01-01-1'))
    make_product(sku='AFTER-THE-BACKUP')
    secret.write_text('a new key')
    refused = runner.invoke(args=['restore', str(archive)])
    assert refused.exit_code == 2
    assert count(Location) == 1

    result = runner.invoke(args=['restore', str(archive), '--yes'])
    assert result.exit_code == 0, result.output
    assert sorted(db.session.scalars(sa.select(Location.code))) == ['A-01-01-1', 'A-01-01-2', 'A-01-01-3']
    assert list(db.session.scalars(sa.select(Product.sku))) == ['KEPT']
    assert secret.read_text() == 'the key the sessions were signed with'
    # the database as it was before the restore, in case the wrong archive was chosen; and no retention
    # then, which would have deleted the archive restored
    [safety] = set(tmp_path.iterdir()) - {archive}
    assert archive.exists()
    assert f'the database as it was is in {safety}' in result.output
    assert manifest_of(safety)['tables']['locations'] == 1
    secret.unlink()


def test_a_backup_of_a_newer_schema_is_refused(runner, tmp_path):
    with db.engine.begin() as connection:
        [head] = database_revisions(connection)
        connection.execute(sa.text('UPDATE alembic_version SET version_num = :v'), {'v': 'f00dfeedbeef'})
    try:
        archive = backup(runner, tmp_path)
    finally:
        with db.engine.begin() as connection:
            connection.execute(sa.text('UPDATE alembic_version SET version_num = :v'), {'v': head})

    result = runner.invoke(args=['restore', str(archive), '--verify'])
    assert result.exit_code == 1
    assert f'FAILED  schema: revision f00dfeedbeef is newer than this code ({head})' in result.output


def test_retention_keeps_the_newest_archives_and_nothing_else_is_touched(runner, tmp_path):
    (tmp_path / 'notes.txt').write_text('not a backup')
    (tmp_path / 'kura-backup-by-hand.tar.gz').write_bytes(b'not one of ours')
    archives = [backup(runner, tmp_path, '--keep', '2') for _ in range(4)]

    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ['notes.txt', 'kura-backup-by-hand.tar.gz', archives[2].name, archives[3].name])


def test_db_upgrade_at_head_takes_no_backup(app, runner, tmp_path, monkeypatch):
    monkeypatch.setitem(app.config, 'BACKUP_DIR', tmp_path)
    result = runner.invoke(args=['db', 'upgrade'])
    assert result.exit_code == 0, result.output
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize('options', [[], ['--no-backup']])
def test_db_upgrade_that_changes_the_schema_backs_up_first(fresh_database, tmp_path, options):
    fresh = make_app(fresh_database, tmp_path)
    with fresh.app_context():
        scripts = migration_scripts()
        previous = scripts.get_revision(scripts.get_current_head()).down_revision
        flask_migrate.upgrade(revision=previous)
        result = fresh.test_cli_runner().invoke(args=['db', 'upgrade', *options])
        assert result.exit_code == 0, result.output
        archives = list((tmp_path / 'backups').glob('kura-backup-*.tar.gz'))
        if options:
            assert archives == []
        else:
            assert manifest_of(archives[0])['database_revisions'] == [previous]
            assert f'backed up to {archives[0]} before upgrading' in result.output
        with db.engine.connect() as connection:
            assert database_revisions(connection) == {scripts.get_current_head()}
        db.engine.dispose()


def test_the_scheduled_backup_runs_at_three_in_the_morning_japan_time_with_retention(app, tmp_path, monkeypatch):
    from app.jobs.queue import use_app
    from app.operations.tasks import backup_schedule, scheduled_backup

    use_app(app)
    schedule = backup_schedule('03:00')
    assert schedule(dt.datetime(2026, 12, 7, 18, 0))  # UTC: 03:00 the next day in Tokyo
    assert not schedule(dt.datetime(2026, 12, 7, 3, 0))
    assert backup_schedule('off') is None
    with pytest.raises(RuntimeError, match='KURA_BACKUP_AT must be'):
        backup_schedule('3am')

    monkeypatch.setitem(app.config, 'BACKUP_DIR', tmp_path)
    monkeypatch.setitem(app.config, 'BACKUP_KEEP', 2)
    for _ in range(3):
        scheduled_backup.call_local()
    assert len(list(tmp_path.glob('kura-backup-*.tar.gz'))) == 2
