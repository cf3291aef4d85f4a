from django.apps import AppConfig
from django.core.signals import request_finished


def _clear_request_id(**kwargs):
    from .request_context import request_id

    request_id.set("-")


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = "Core"

    def ready(self):
        from . import auth, cache  # noqa: F401 - connect the signals that invalidate cached permissions and views

        request_finished.connect(_clear_request_id, dispatch_uid="core.clear_request_id")
