"""Settings an instance makes for itself on its first start."""
import multiprocessing
import os
import stat

import pytest

from app.config import _secret_key


def _start(instance, barrier, answers):
    barrier.wait()
    try:
        answers.put(_secret_key(instance))
    except Exception as exc:  # noqa: BLE001 - the parent reports what a process saw
        answers.put(f'error: {exc!r}')


def test_processes_starting_together_on_a_fresh_instance_share_one_whole_key(tmp_path, monkeypatch):
    """gunicorn's workers and the job consumer start at once on a new instance: none may read a half-written key."""
    monkeypatch.delenv('SECRET_KEY', raising=False)
    context = multiprocessing.get_context('fork')
    for trial in range(30):
        instance = tmp_path / f'instance-{trial}'
        instance.mkdir()
        barrier, answers = context.Barrier(6), context.Queue()
        processes = [context.Process(target=_start, args=(instance, barrier, answers)) for _ in range(6)]
        for process in processes:
            process.start()
        keys = [answers.get(timeout=30) for _ in processes]
        for process in processes:
            process.join(timeout=30)
        assert len(set(keys)) == 1 and len(keys[0]) == 64, (trial, keys)
        assert int(keys[0], 16) >= 0
        assert [p.name for p in instance.iterdir()] == ['secret_key']   # no draft left behind
        assert stat.S_IMODE(os.stat(instance / 'secret_key').st_mode) == 0o600


def test_an_empty_key_file_is_refused_with_what_to_do(tmp_path, monkeypatch):
    monkeypatch.delenv('SECRET_KEY', raising=False)
    (tmp_path / 'secret_key').write_text('')
    with pytest.raises(RuntimeError, match='is empty: delete it'):
        _secret_key(tmp_path)


def test_the_environment_key_wins(tmp_path, monkeypatch):
    monkeypatch.setenv('SECRET_KEY', 'from-the-environment')
    assert _secret_key(tmp_path) == 'from-the-environment'
    assert not (tmp_path / 'secret_key').exists()
