"""Small shared pieces: settings, clock, database, errors, ids, pagination, logging."""
