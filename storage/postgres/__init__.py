"""PostgreSQL behind the Store port: for a bot that outgrows one machine's files.

Optional: needs the ``postgres`` extra (psycopg 3 and psycopg_pool). Selected by
``KEEPWORD_DATABASE_URL=postgresql://...``; see docs/POSTGRES.md.
"""

from storage.postgres.store import PoolSettings, PostgresStore, redact_url

__all__ = ["PoolSettings", "PostgresStore", "redact_url"]
