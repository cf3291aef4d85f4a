"""Indexes for ranked search (apps.core.search), built CONCURRENTLY so a live table keeps taking writes."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.functions.comparison
import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("inventory", "0002_ledger_append_only_and_roles"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="material",
            index=models.Index(
                django.db.models.functions.comparison.Collate(django.db.models.functions.text.Upper("code"), "C"),
                name="material_code_like_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="material",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector("name", config="simple", weight="A"),
                name="material_search_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="warehouse",
            index=models.Index(
                django.db.models.functions.comparison.Collate(django.db.models.functions.text.Upper("code"), "C"),
                name="warehouse_code_like_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="warehouse",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector("name", config="simple", weight="A"),
                name="warehouse_search_idx",
            ),
        ),
    ]
