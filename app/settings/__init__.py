"""Shop settings a manager edits on a screen: hold rules, allocation policy per channel."""
from flask import Blueprint


bp = Blueprint('settings', __name__, template_folder='templates')
