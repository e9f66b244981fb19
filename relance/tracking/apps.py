from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TrackingConfig(AppConfig):
    name = "relance.tracking"
    label = "tracking"

    def ready(self) -> None:
        # Connects the django-anymail tracking signal to our event model.
        from relance.tracking import webhooks  # noqa: F401
        from relance.tracking.versions import after_migrate

        # SQLite drops a table's triggers when a migration rebuilds it: put the data versions' back.
        post_migrate.connect(after_migrate, sender=self, dispatch_uid="relance_data_version_triggers")
