"""The product catalogue: products, JAN codes, CSV import and export."""
from flask import Blueprint


bp = Blueprint('catalog', __name__, template_folder='templates')
