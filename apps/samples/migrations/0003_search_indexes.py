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
        ("buyers", "0003_search_indexes"),
        ("samples", "0002_numbers_and_roles"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="sample",
            index=models.Index(
                django.db.models.functions.comparison.Collate(django.db.models.functions.text.Upper("number"), "C"),
                name="sample_number_like_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="style",
            index=models.Index(
                django.db.models.functions.comparison.Collate(django.db.models.functions.text.Upper("code"), "C"),
                name="style_code_like_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="style",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.SearchVector("name", config="simple", weight="A"),
                name="style_search_idx",
            ),
        ),
    ]
