from django.apps import AppConfig


class MailConfig(AppConfig):
    name = "relance.mail"
    label = "mail"
