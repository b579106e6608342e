"""Managers' screens: the day at a glance and the daily shipment report (the files come from exporters/)."""
from flask import Blueprint


bp = Blueprint('reports', __name__, template_folder='templates')
