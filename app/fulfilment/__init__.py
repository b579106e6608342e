"""The warehouse floor: pick batches, the packing station, shipments, carriers and tracking numbers."""
from flask import Blueprint


bp = Blueprint('fulfilment', __name__, template_folder='templates')
