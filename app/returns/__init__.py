"""After-sales: returns (RMA), their lines and reasons, receiving and grading the units, refunds and exchanges."""
from flask import Blueprint


bp = Blueprint('returns', __name__, template_folder='templates')
