import django.db.models.deletion
import simple_history.models
from django.conf import settings
from django.db import migrations, models

from apps.core.roles import STAFF_ADMIN, grant_all_permissions, grant_permissions

# The usual T&A steps of a garment order, each due this many days before the ship date.
DEFAULT_TEMPLATES = [
    ("fabric_booked", "Fabric booked", 90),
    ("lab_dip_approved", "Lab dip approved", 75),
    ("pp_sample_approved", "PP sample approved", 45),
    ("production_start", "Production start", 30),
    ("inline_inspection", "Inline inspection", 15),
    ("final_inspection", "Final inspection", 5),
    ("ex_factory", "Ex-factory", 0),
]

VIEW_ALL = {"milestonetemplate": ("view",), "ordermilestone": ("view",)}
# Merchandisers run the T&A calendar and its steps; sales record progress on their orders.
MILESTONE_PERMISSIONS = {
    "merchandiser": {"milestonetemplate": ("view", "add", "change"), "ordermilestone": ("view", "change")},
    "sales": {"milestonetemplate": ("view",), "ordermilestone": ("view", "change")},
    "purchasing": VIEW_ALL,
    "warehouse": VIEW_ALL,
    "viewer": VIEW_ALL,
}

# Orders still in hand get their calendar at once, in one statement (planned as
# apps.orders.milestones.planned_date plans). Like other bulk loads, these rows have no history.
PLAN_OPEN_ORDERS = """
INSERT INTO orders_ordermilestone (order_id, template_id, days_before_ship, planned_date, notes)
SELECT o.id, t.id, t.days_before_ship, GREATEST(o.order_date, o.ship_date - t.days_before_ship), ''
FROM orders_order o CROSS JOIN orders_milestonetemplate t
WHERE t.is_active AND o.status IN ('draft', 'confirmed', 'in_production')
"""


def seed_templates(apps, schema_editor):
    MilestoneTemplate = apps.get_model("orders", "MilestoneTemplate")
    MilestoneTemplate.objects.bulk_create(
        MilestoneTemplate(code=code, name=name, days_before_ship=days, position=(index + 1) * 10)
        for index, (code, name, days) in enumerate(DEFAULT_TEMPLATES)
    )


def grant(apps, schema_editor):
    grant_permissions(apps, "orders", MILESTONE_PERMISSIONS)
    grant_all_permissions(apps, "orders", STAFF_ADMIN)  # reports 0002 granted the models that existed then


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0005_history"),
        ("core", "0002_roles"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="MilestoneTemplate",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("code", models.SlugField(max_length=40, unique=True)),
                ("name", models.CharField(max_length=100)),
                (
                    "days_before_ship",
                    models.PositiveSmallIntegerField(help_text="Planned this many days before the ship date."),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(default=0, help_text="Where it shows in an order's calendar."),
                ),
                (
                    "is_active",
                    models.BooleanField(default=True, help_text="Inactive steps are not planned for new orders."),
                ),
            ],
            options={
                "ordering": ["position", "id"],
            },
        ),
        migrations.CreateModel(
            name="HistoricalMilestoneTemplate",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("code", models.SlugField(max_length=40)),
                ("name", models.CharField(max_length=100)),
                (
                    "days_before_ship",
                    models.PositiveSmallIntegerField(help_text="Planned this many days before the ship date."),
                ),
                (
                    "position",
                    models.PositiveSmallIntegerField(default=0, help_text="Where it shows in an order's calendar."),
                ),
                (
                    "is_active",
                    models.BooleanField(default=True, help_text="Inactive steps are not planned for new orders."),
                ),
                ("history_id", models.BigAutoField(editable=False, primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
            ],
            options={
                "verbose_name": "historical milestone template",
                "verbose_name_plural": "historical milestone templates",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "indexes": [
                    models.Index(fields=["history_user", "history_date"], name="orders_hist_history_4ecfba_idx")
                ],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="HistoricalOrderMilestone",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("days_before_ship", models.PositiveSmallIntegerField(editable=False)),
                ("planned_date", models.DateField(editable=False)),
                ("actual_date", models.DateField(blank=True, null=True)),
                ("notes", models.TextField(blank=True)),
                ("history_id", models.BigAutoField(editable=False, primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
                (
                    "history_user",
                    models.ForeignKey(
                        db_index=False,
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="+",
                        to=settings.AUTH_USER_MODEL,
                    ),
                ),
                (
                    "order",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="orders.order",
                    ),
                ),
                (
                    "template",
                    models.ForeignKey(
                        blank=True,
                        db_constraint=False,
                        null=True,
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        related_name="+",
                        to="orders.milestonetemplate",
                    ),
                ),
            ],
            options={
                "verbose_name": "historical order milestone",
                "verbose_name_plural": "historical order milestones",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
                "indexes": [
                    models.Index(fields=["history_user", "history_date"], name="orders_hist_history_ce740d_idx")
                ],
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="OrderMilestone",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("days_before_ship", models.PositiveSmallIntegerField(editable=False)),
                ("planned_date", models.DateField(editable=False)),
                ("actual_date", models.DateField(blank=True, null=True)),
                ("notes", models.TextField(blank=True)),
                (
                    "order",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="milestones", to="orders.order"
                    ),
                ),
                (
                    "template",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="milestones",
                        to="orders.milestonetemplate",
                    ),
                ),
            ],
            options={
                "ordering": ["order_id", "planned_date", "id"],
                "indexes": [
                    models.Index(
                        condition=models.Q(("actual_date__isnull", True)),
                        fields=["planned_date", "id"],
                        name="order_milestone_open_idx",
                    )
                ],
                "constraints": [models.UniqueConstraint(fields=("order", "template"), name="order_milestone_unique")],
            },
        ),
        migrations.RunPython(seed_templates, migrations.RunPython.noop),
        migrations.RunSQL(PLAN_OPEN_ORDERS, migrations.RunSQL.noop),
        migrations.RunPython(grant, migrations.RunPython.noop),
    ]
