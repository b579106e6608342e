"""Staff accounts, roles, login and the audit log."""
from flask import Blueprint


bp = Blueprint('accounts', __name__, template_folder='templates')
