"""URLs of the approval queue (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views import approvals

urlpatterns = [
    path("approvals/", approvals.approval_list, name="approvals"),
    path("approvals/bulk/", approvals.approval_bulk, name="approvals_bulk"),
    path("approvals/approve-all/", approvals.approval_approve_all, name="approvals_approve_all"),
    path("approvals/<int:pk>/approve/", approvals.approval_approve, name="approval_approve"),
    path("approvals/<int:pk>/skip/", approvals.approval_skip, name="approval_skip"),
    path("approvals/<int:pk>/edit/", approvals.approval_edit, name="approval_edit"),
]
