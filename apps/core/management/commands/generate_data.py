from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import module_has_submodule

SCALES = ("small", "medium", "large")


def discover_generators():
    """Yield (app label, module) for each business app's `sample_data` module, in INSTALLED_APPS
    order so that master data is generated before the transactions that use it."""
    for config in apps.get_app_configs():
        if config.name.startswith("apps.") and module_has_submodule(config.module, "sample_data"):
            yield config.label, import_module(f"{config.name}.sample_data")


class Command(BaseCommand):
    help = "Fill the database with deterministic sample data at a named scale (re-running adds nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=SCALES, default="small")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, scale, seed, **options):
        for label, module in discover_generators():
            with transaction.atomic():  # an app's data lands whole or not at all
                created = module.generate(scale=scale, seed=seed)
            self.stdout.write(f"{label}: {created} rows created")
