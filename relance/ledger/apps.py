from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "relance.ledger"
    label = "ledger"

    def ready(self) -> None:
        from relance.ledger import paid_off

        paid_off.connect()
