"""Document numbers (SO0000001, PO0000001, ...) drawn from PostgreSQL sequences: gap-tolerant,
never repeated, no lock held across transactions."""

from django.db import connection, migrations


def next_number(sequence: str, prefix: str, width: int = 7) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s)", [sequence])
        return f"{prefix}{cursor.fetchone()[0]:0{width}d}"


def next_numbers(sequence: str, prefix: str, count: int, width: int = 7) -> list[str]:
    """`count` numbers in one query (imports number a batch of documents at once), in ascending order."""
    if count <= 0:
        return []
    with connection.cursor() as cursor:
        cursor.execute("SELECT nextval(%s) FROM generate_series(1, %s)", [sequence, count])
        return [f"{prefix}{value:0{width}d}" for value in sorted(row[0] for row in cursor.fetchall())]


def create_sequence(name: str) -> migrations.RunSQL:
    """Migration operation creating the sequence behind next_number()."""
    return migrations.RunSQL(f"CREATE SEQUENCE IF NOT EXISTS {name}", f"DROP SEQUENCE IF EXISTS {name}")
