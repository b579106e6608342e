"""Warehouses, locations, stock levels and the movement ledger."""
from flask import Blueprint


bp = Blueprint('inventory', __name__, template_folder='templates')
