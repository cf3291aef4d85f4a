from django.apps import AppConfig


class SamplesConfig(AppConfig):
    name = "apps.samples"
    verbose_name = "Styles and samples"
