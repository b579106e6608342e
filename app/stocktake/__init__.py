"""Stocktakes (棚卸し): counts of chosen locations or products, recounts and approval, without freezing the floor."""
from flask import Blueprint


bp = Blueprint('stocktake', __name__, template_folder='templates')
