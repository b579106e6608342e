"""Customers' personal data (個人情報): retention and redaction, data-subject requests, the access log (/privacy)."""
from flask import Blueprint


bp = Blueprint('privacy', __name__, template_folder='templates')
