"""flask backup, flask restore, a backup before every `flask db upgrade` that changes the schema, flask redact.

Exit codes: 0 done (or proven), 1 refused or failed (the live database untouched), 2 bad arguments.
"""
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import with_appcontext

from app.errors import UserError
from app.operations.backup import create_backup, restore_backup, upgrade_would_change_schema, verify_backup


def register(app: Flask) -> None:
    app.cli.add_command(backup)
    app.cli.add_command(restore)
    app.cli.add_command(redact)
    _back_up_before_upgrade(app)


@click.command('backup')
@click.option('-o', '--output', 'directory', type=click.Path(file_okay=False, path_type=Path),
              help='The folder for the archive (default: KURA_BACKUP_DIR, else <instance>/backups).')
@click.option('--keep', type=click.IntRange(min=0),
              help='Keep the newest N archives in that folder (default: KURA_BACKUP_KEEP, 14; 0 keeps all).')
def backup(directory, keep):
    """Back up the database and the instance's secret key into one archive with a manifest."""
    config = current_app.config
    keep = config['BACKUP_KEEP'] if keep is None else keep
    try:
        result = create_backup(directory or config['BACKUP_DIR'], keep=keep)
    except UserError as exc:
        raise click.ClickException(str(exc)) from None
    tables = result.manifest['tables']
    click.echo(f'wrote {result.path} ({result.path.stat().st_size} bytes): {len(tables)} tables, '
               f'{sum(tables.values())} rows, revision {", ".join(result.manifest["database_revisions"]) or "none"}')
    for path in result.deleted:
        click.echo(f'deleted {path.name} (keeping the newest {keep})')


@click.command('redact')
def redact():
    """Erase the personal data now due (each channel's retention) and prune the access log, as the nightly task."""
    from app.operations.tasks import redact_now

    redacted, pruned = redact_now()
    click.echo(f'{redacted} orders redacted, {pruned} access log rows pruned')


@click.command('restore')
@click.argument('archive', type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option('--verify', 'verify_only', is_flag=True,
              help='Only prove the archive in a scratch database; the live database is not touched.')
@click.option('--yes', is_flag=True, help='Prove the archive, then replace the live database and instance files.')
@click.option('--no-backup', is_flag=True, help='With --yes: do not back up the live database before replacing it.')
def restore(archive, verify_only, yes, no_backup):
    """Restore a backup made by flask backup: always proven in a scratch database first."""
    if verify_only == yes:
        raise click.UsageError('give --verify to prove the archive, or --yes to prove it and replace the live '
                               'database and instance files with it')
    config = current_app.config
    try:
        if verify_only:
            verification = verify_backup(archive)
        else:
            verification = restore_backup(archive, safety_backup_to=None if no_backup else config['BACKUP_DIR'])
    except UserError as exc:
        raise click.ClickException(f'{exc} (the live database was not changed)') from None
    manifest = verification.manifest or {}
    if manifest:
        click.echo(f'{archive.name}: {manifest["dialect"]} backup made {manifest["created_at"]}')
    for check in verification.checks:
        click.echo(str(check))
    if not verification.ok:
        click.echo(f'{archive.name}: NOT proven; the live database was not touched', err=True)
        sys.exit(1)
    if verify_only:
        click.echo(f'{archive.name}: proven; the live database was not touched')
        return
    if verification.safety_backup:
        click.echo(f'the database as it was is in {verification.safety_backup}')
    click.echo(f'restored {archive.name} into the live database and the instance folder')
    if verification.needs_upgrade:
        click.echo('its schema is older than the code: run flask db upgrade')
    click.echo('restart the web server and the job consumer')


def _back_up_before_upgrade(app: Flask) -> None:
    """Replace Flask-Migrate's `db upgrade` with one that backs up first, keeping all of its options.

    The group is copied, not changed: Flask-Migrate's own is one object shared by every app in the process.
    """
    group = app.cli.commands.get('db')
    if group is None:
        return
    upgrade = group.commands['upgrade']

    @with_appcontext
    @click.pass_context
    def upgrade_after_backup(ctx, no_backup, **options):
        config = current_app.config
        if not (no_backup or options.get('sql') or not config['BACKUP_BEFORE_UPGRADE']) \
                and upgrade_would_change_schema():
            try:
                result = create_backup(config['BACKUP_DIR'], keep=config['BACKUP_KEEP'])
            except UserError as exc:
                raise click.ClickException(f'no backup before upgrading: {exc}. Nothing was migrated; '
                                           'flask db upgrade --no-backup migrates without a backup') from None
            click.echo(f'backed up to {result.path} before upgrading')
        ctx.invoke(upgrade, **options)

    no_backup = click.Option(['--no-backup'], is_flag=True,
                             help='Do not back up the database first (also KURA_BACKUP_BEFORE_UPGRADE=0).')
    replacement = click.Command('upgrade', callback=upgrade_after_backup, params=[*upgrade.params, no_backup],
                                help=f'{upgrade.help}; backs up the database first when the schema will change')
    app.cli.add_command(click.Group(group.name, commands={**group.commands, 'upgrade': replacement},
                                    callback=group.callback, params=group.params, help=group.help))
