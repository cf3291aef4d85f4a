import time
from importlib import import_module

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.utils.module_loading import module_has_submodule

from apps.core import bulk

# small goes through the services (the demo, tests); medium and large are COPY loads. "tiny" (not
# listed in --help) runs the COPY path with a handful of rows, so tests exercise it in seconds.
SCALES = ("small", "medium", "large")
HIDDEN_SCALES = ("tiny",)


def discover_generators():
    """Yield (app config, module) for each business app's `sample_data` module, in INSTALLED_APPS
    order so that master data is generated before the transactions that use it."""
    for config in apps.get_app_configs():
        if config.name.startswith("apps.") and module_has_submodule(config.module, "sample_data"):
            yield config, import_module(f"{config.name}.sample_data")


class Command(BaseCommand):
    help = "Fill the database with deterministic sample data at a named scale (re-running adds nothing)."

    def add_arguments(self, parser):
        parser.add_argument("--scale", choices=SCALES + HIDDEN_SCALES, default="small", metavar="{small,medium,large}")
        parser.add_argument("--seed", type=int, default=1)

    def handle(self, *args, scale, seed, **options):
        began = time.monotonic()
        for config, module in discover_generators():
            started = time.monotonic()
            with transaction.atomic():  # an app's data lands whole or not at all
                created = module.generate(scale=scale, seed=seed)
            if created and scale != "small" and not connection.in_atomic_block:
                # Hint bits and the visibility map now, rather than on the first reads (autovacuum may be off).
                bulk.vacuum(*config.get_models())
            self.stdout.write(f"{config.label}: {created} rows created ({time.monotonic() - started:.1f} s)")
        if scale != "small":
            self.stdout.write(f"Done in {time.monotonic() - began:.1f} s.")
