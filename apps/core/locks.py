from django.db import connection


def lock_for_transaction(name: str) -> None:
    """Serialise a critical section across all processes until the current transaction ends.

    A PostgreSQL advisory lock: for work that reads aggregates and writes from them, where
    row locks cannot express "one at a time".
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [name])
