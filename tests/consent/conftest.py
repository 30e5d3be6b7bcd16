from tests.api.conftest import client, customer, other_customer, reviewer
from tests.support.database import clock, database, database_template, session, settings

__all__ = [
    "client",
    "clock",
    "customer",
    "database",
    "database_template",
    "other_customer",
    "reviewer",
    "session",
    "settings",
]
