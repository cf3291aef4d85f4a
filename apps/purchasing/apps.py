from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "apps.purchasing"
    verbose_name = "Purchasing"
