from django.db import migrations

from apps.core.roles import grant_permissions

# The database itself refuses to change or delete ledger lines, whatever the code path.
APPEND_ONLY = """
CREATE FUNCTION inventory_stockmovement_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'stock movements are append-only; post a correcting movement instead';
END $$;
CREATE TRIGGER stockmovement_append_only BEFORE UPDATE OR DELETE ON inventory_stockmovement
    FOR EACH ROW EXECUTE FUNCTION inventory_stockmovement_append_only();
"""
DROP_APPEND_ONLY = """
DROP TRIGGER IF EXISTS stockmovement_append_only ON inventory_stockmovement;
DROP FUNCTION IF EXISTS inventory_stockmovement_append_only();
"""

VIEW_ALL = {"warehouse": ("view",), "material": ("view",), "stocklevel": ("view",), "stockmovement": ("view",)}
INVENTORY_PERMISSIONS = {
    "merchandiser": VIEW_ALL,
    "sales": VIEW_ALL,
    "purchasing": {**VIEW_ALL, "material": ("view", "add", "change")},
    "warehouse": {**VIEW_ALL, "warehouse": ("view", "add", "change"), "stockmovement": ("view", "add")},
    "viewer": VIEW_ALL,
}


def grant(apps, schema_editor):
    grant_permissions(apps, "inventory", INVENTORY_PERMISSIONS)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0001_initial"), ("core", "0002_roles")]

    operations = [
        migrations.RunSQL(APPEND_ONLY, DROP_APPEND_ONLY),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
