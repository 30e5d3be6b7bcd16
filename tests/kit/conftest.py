from tests.support.database import clock, database, database_template, session, settings

__all__ = ["clock", "database", "database_template", "session", "settings"]
