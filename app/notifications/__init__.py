"""E-mail: the outbox, templates per message kind, and the sender that delivers by SMTP."""
from flask import Blueprint


# the blueprint also carries the `flask mail ...` commands (app/notifications/cli.py)
bp = Blueprint('notifications', __name__, template_folder='templates', cli_group='mail')
