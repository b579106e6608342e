"""A throw-away PostgreSQL server for the test suite: temporary data directory, loopback, non-root.

PostgreSQL refuses to run as root, and CI runs as root: the server then runs as the
``postgres`` system user that the Debian package creates.
"""
import contextlib
import errno
import os
import pwd
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from app.errors import UserError
from app.operations.backup import postgresql_program
from tests.ports import on_a_free_port


def _bin_dir() -> Path:
    """Where the server programs are: the folder backups take pg_dump from, so the two are one version."""
    try:
        return postgresql_program('initdb').resolve().parent
    except UserError:
        raise RuntimeError('PostgreSQL server binaries not found: run .ci/ensure-system-packages postgresql '
                           '(apt-get install postgresql)') from None


@contextlib.contextmanager
def postgresql_server():
    """Start a server, yield its SQLAlchemy URL (database ``kura_test``), stop and delete it after."""
    bindir = _bin_dir()
    run_as = {}
    workdir = Path(tempfile.mkdtemp(prefix='kura-pg-'))
    if os.geteuid() == 0:
        user = pwd.getpwnam('postgres')
        os.chown(workdir, user.pw_uid, user.pw_gid)
        run_as = {'user': user.pw_uid, 'group': user.pw_gid}
    datadir, log = workdir / 'data', workdir / 'server.log'
    env = {**os.environ, 'LC_ALL': 'C.UTF-8', 'LANG': 'C.UTF-8'}

    def run(*args):
        subprocess.run(args, check=True, cwd=workdir, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                       **run_as)

    try:
        run(bindir / 'initdb', '-D', datadir, '-U', 'kura', '--auth=trust', '-E', 'UTF8', '--locale=C.UTF-8')

        def start(port: int) -> int:
            logged = log.stat().st_size if log.exists() else 0
            # fsync off: the data is thrown away, and it makes the suite several times faster
            options = f'-c listen_addresses=127.0.0.1 -p {port} -k {workdir} -c fsync=off ' \
                      '-c synchronous_commit=off -c full_page_writes=off -c max_connections=200'
            try:
                run(bindir / 'pg_ctl', '-D', datadir, '-o', options, '-l', log, '-w', 'start')
            except subprocess.CalledProcessError:
                if b'Address already in use' in log.read_bytes()[logged:]:
                    raise OSError(errno.EADDRINUSE, f'port {port} was taken before PostgreSQL bound it') from None
                raise
            return port

        port = on_a_free_port(start)
        for _ in range(50):
            try:
                run(bindir / 'createdb', '-h', '127.0.0.1', '-p', str(port), '-U', 'kura', 'kura_test')
                break
            except subprocess.CalledProcessError:
                time.sleep(0.1)
        else:
            raise RuntimeError(f'PostgreSQL did not come up; see {log}')
        yield f'postgresql+psycopg://kura@127.0.0.1:{port}/kura_test'
    finally:
        if (datadir / 'postmaster.pid').exists():
            with contextlib.suppress(subprocess.CalledProcessError):
                run(bindir / 'pg_ctl', '-D', datadir, '-m', 'immediate', '-w', 'stop')
        shutil.rmtree(workdir, ignore_errors=True)
