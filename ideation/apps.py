from django.apps import AppConfig


class IdeationConfig(AppConfig):
    name = "ideation"
