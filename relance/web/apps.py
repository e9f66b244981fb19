from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "relance.web"
    label = "web"
