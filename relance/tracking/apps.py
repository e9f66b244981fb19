from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "relance.tracking"
    label = "tracking"
