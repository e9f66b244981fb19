from django.apps import AppConfig


class TrackingConfig(AppConfig):
    name = "relance.tracking"
    label = "tracking"

    def ready(self) -> None:
        # Connects the django-anymail tracking signal to our event model.
        from relance.tracking import webhooks  # noqa: F401
