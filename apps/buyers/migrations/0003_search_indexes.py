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
        ("buyers", "0002_role_permissions"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="buyer",
            index=models.Index(
                django.db.models.functions.comparison.Collate(django.db.models.functions.text.Upper("code"), "C"),
                name="buyer_code_like_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="buyer",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.CombinedSearchVector(
                    django.contrib.postgres.search.SearchVector("name", config="simple", weight="A"),
                    "||",
                    django.contrib.postgres.search.SearchVector(
                        "company",
                        django.db.models.functions.text.Replace(
                            models.F("email"), models.Value("@"), models.Value(" ")
                        ),
                        config="simple",
                        weight="B",
                    ),
                    django.contrib.postgres.search.SearchConfig("simple"),
                ),
                name="buyer_search_idx",
            ),
        ),
    ]
