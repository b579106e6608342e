"""Orders: the order record, imports from mall files, holds, and (to come) triage and allocation."""
from flask import Blueprint


bp = Blueprint('orders', __name__, template_folder='templates')
