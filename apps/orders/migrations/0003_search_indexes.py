"""Indexes for ranked search (apps.core.search), built CONCURRENTLY so a live table keeps taking writes."""

import django.db.models.functions.comparison
import django.db.models.functions.text
from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False  # CREATE INDEX CONCURRENTLY cannot run in a transaction

    dependencies = [
        ("buyers", "0003_search_indexes"),
        ("orders", "0002_numbers_and_roles"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="order",
            index=models.Index(
                django.db.models.functions.comparison.Collate(django.db.models.functions.text.Upper("number"), "C"),
                name="order_number_like_idx",
            ),
        ),
        AddIndexConcurrently(
            model_name="order",
            index=models.Index(
                django.db.models.functions.comparison.Collate(
                    django.db.models.functions.text.Upper("buyer_reference"), "C"
                ),
                name="order_buyer_reference_like_idx",
            ),
        ),
    ]
