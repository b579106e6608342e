"""The public shop under /shop: catalogue, cart, checkout and the order-status page (no staff login)."""
from flask import Blueprint


bp = Blueprint('storefront', __name__, template_folder='templates')
