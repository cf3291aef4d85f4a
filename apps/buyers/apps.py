from django.apps import AppConfig


class BuyersConfig(AppConfig):
    name = "apps.buyers"
    verbose_name = "Buyers"
