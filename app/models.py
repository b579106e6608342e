"""Every area's models, imported in one place so the metadata (and alembic) sees all tables."""
from app.accounts.models import AuditEvent, User  # noqa: F401
from app.catalog.models import Product  # noqa: F401
from app.inventory.models import Location, StockLevel, StockMovement, Warehouse  # noqa: F401
