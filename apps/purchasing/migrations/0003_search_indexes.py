"""Indexes for ranked search (apps.core.search), built CONCURRENTLY so a live table keeps taking writes."""

import django.contrib.postgres.indexes
import django.contrib.postgres.search
import django.db.models.functions.comparison
import django.db.models.functions.text
from django.conf import settings
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("inventory", "0003_search_indexes"),
        ("purchasing", "0002_numbers_and_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="goodsreceipt",
            index=models.Index(
                django.db.models.functions.comparison.Collate(
                    django.db.models.functions.text.Upper("delivery_note"), "C"
                ),
                name="receipt_delivery_note_like_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="purchaseorder",
            index=models.Index(
                django.db.models.functions.comparison.Collate(django.db.models.functions.text.Upper("number"), "C"),
                name="po_number_like_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="supplier",
            index=models.Index(
                django.db.models.functions.comparison.Collate(django.db.models.functions.text.Upper("code"), "C"),
                name="supplier_code_like_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="supplier",
            index=django.contrib.postgres.indexes.GinIndex(
                django.contrib.postgres.search.CombinedSearchVector(
                    django.contrib.postgres.search.SearchVector("name", config="simple", weight="A"),
                    "||",
                    django.contrib.postgres.search.SearchVector(
                        django.db.models.functions.text.Replace(
                            models.F("email"), models.Value("@"), models.Value(" ")
                        ),
                        config="simple",
                        weight="B",
                    ),
                    django.contrib.postgres.search.SearchConfig("simple"),
                ),
                name="supplier_search_idx",
            ),
        ),
    ]
