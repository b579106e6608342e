"""Running an instance: backups and restores (backup.py), their commands (cli.py) and schedule (tasks.py);
monitoring: the readiness checks and the database's figures (queries.py), served at /readyz and
/metrics (views.py).

Not a business area: no tables of its own.  It sits above the areas, reading each through its
public queries, and no area imports it.
"""
from flask import Blueprint


bp = Blueprint('operations', __name__)
