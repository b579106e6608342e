"""The runbook of docs/operations.md, run: its commands are those of the code, on SQLite and PostgreSQL.

Every ``sh`` block under "## Runbook" is read line by line, in the document's order: a ``flask``
command runs against a test instance of its own (a fresh database, migrated, with a product)
and must succeed; a ``curl`` of Kura's pages is fetched from that instance; a ``NAME=$(...)``
line runs in bash and sets NAME for the lines after it; any other command acts on the machine
(services, files) and must be one of the programs the runbook is allowed to name.
"""
import os
import re
import shlex
import subprocess
from pathlib import Path

import flask_migrate
import pytest
import sqlalchemy as sa

from app.catalog.models import Product
from app.catalog.services import ProductData, create_product
from app.extensions import db
from tests.conftest import make_app


RUNBOOK = Path(__file__).parents[2] / 'docs' / 'operations.md'
MACHINE = {'systemctl', 'journalctl', 'ls', 'df', 'git', 'make'}


def runbook_commands() -> list[tuple[str, str]]:
    """(subsection, command line) of every sh block in the Runbook section, in order."""
    text = RUNBOOK.read_text()
    section = text.split('\n## Runbook\n', 1)[1].split('\n## ', 1)[0]
    commands, heading = [], ''
    for match in re.finditer(r'^### ([^\n]+)$|^( *)```sh\n(.*?)^\2```$', section, flags=re.M | re.S):
        if match.group(1):
            heading = match.group(1)
            continue
        for line in match.group(3).splitlines():
            line = line.strip()
            if line and not line.startswith('#'):
                commands.append((heading, line))
    return commands


def test_the_runbook_has_each_part_and_its_commands():
    commands = runbook_commands()
    assert {heading for heading, _ in commands} == {'Daily', 'Weekly', 'On upgrade', 'On disaster'}
    flask = [line for _, line in commands if line.startswith('flask ')]
    for needed in ('flask backup', 'flask restore "$ARCHIVE" --verify', 'flask restore "$ARCHIVE" --yes',
                   'flask db upgrade'):
        assert needed in flask
    assert {line for _, line in commands if line.startswith('curl ')} >= {'curl -fsS "$KURA/healthz"',
                                                                         'curl -sS "$KURA/readyz"'}


@pytest.fixture
def instance(fresh_database, tmp_path):
    """A Kura of its own on a fresh database (migrated, one product), its backups in a folder of its own."""
    backups = tmp_path / 'backups'
    app = make_app(fresh_database, tmp_path / 'instance', BACKUP_DIR=backups)
    with app.app_context():
        flask_migrate.upgrade()
        create_product(ProductData(sku='RB-1', name='運用手順の品', jan=None, price=100), actor=None)
        db.session.commit()
        db.session.remove()
    yield app, {'KURA': 'http://kura.test', 'KURA_BACKUP_DIR': str(backups)}
    with app.app_context():
        db.engine.dispose()


def test_every_command_of_the_runbook_runs(instance):
    app, variables = instance
    runner, client = app.test_cli_runner(), app.test_client()
    ran = []
    for heading, line in runbook_commands():
        words = [_expand(word, variables) for word in shlex.split(line, comments=True)]
        assignment = re.fullmatch(r'([A-Z_]+)=(\$\(.*\))', line)
        if assignment:
            result = subprocess.run(['bash', '-c', f'printf %s {assignment.group(2)}'], capture_output=True,
                                    text=True, env={**os.environ, **variables}, check=True)
            variables[assignment.group(1)] = result.stdout
            assert result.stdout, line
        elif words[0] == 'flask':
            args = words[1:]
            with app.app_context():   # the command's application is the one of the context it finds
                result = runner.invoke(args=args)
            assert result.exit_code == 0, f'{heading}: {line}\n{result.output}'
            if args[:2] == ['restore', variables.get('ARCHIVE')] and '--verify' in args:
                checks = [out.split()[0] for out in result.output.splitlines() if out[:3] in ('ok ', 'FAI')]
                assert checks and set(checks) == {'ok'}, result.output
        elif words[0] == 'curl':
            url = next(word for word in words if word.startswith(variables['KURA']))
            response = client.get(url.removeprefix(variables['KURA']))
            if '-fsS' in line:
                assert response.status_code == 200, f'{line}: {response.status_code}'
            assert 'status' in response.get_json(), line
        else:
            assert words[0] in MACHINE, f'{heading}: {line} is neither run by this test nor known to it'
            continue
        ran.append(line)
    assert sum(line.startswith('flask ') for line in ran) >= 7
    with app.app_context():   # restored after the "disaster": the shop's data is there
        assert db.session.scalar(sa.select(Product.sku)) == 'RB-1'


def _expand(word: str, variables: dict) -> str:
    """$NAME replaced by the runbook's variables; a NAME only a later line sets stays as it is."""
    return re.sub(r'\$([A-Z_]+)', lambda m: variables.get(m.group(1), m.group(0)), word)
