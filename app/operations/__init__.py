"""Running an instance: backups and restores (backup.py), their commands (cli.py) and schedule (tasks.py).

Not a business area: no blueprint, no tables of its own.
"""
