"""URLs of the policies pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views import policies

urlpatterns = [
    path("policies/", policies.policies, name="policies"),
    path("policies/<int:pk>/", policies.policy_detail, name="policy_detail"),
    path("policies/<int:pk>/impact/", policies.policy_impact, name="policy_impact"),
    path("policies/<int:pk>/edit/", policies.policy_edit, name="policy_edit"),
]
