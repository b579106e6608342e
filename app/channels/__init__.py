"""Channel stock (在庫連携): listings of Kura's products on the malls, the stock files sent to them, oversells."""
from flask import Blueprint


bp = Blueprint('channels', __name__, template_folder='templates')
