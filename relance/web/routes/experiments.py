"""URLs of the experiments pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views import experiments

urlpatterns = [
    path("experiments/", experiments.experiments, name="experiments"),
    path("experiments/new/", experiments.experiment_add, name="experiment_add"),
    path("experiments/<int:pk>/", experiments.experiment_detail, name="experiment_detail"),
    path("experiments/<int:pk>/stop/", experiments.experiment_stop, name="experiment_stop"),
]
