"""URLs of the invoices pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views import invoices as views

urlpatterns = [
    path("invoices/", views.invoice_list, name="invoices"),
    path("invoices/<int:pk>/", views.invoice_detail, name="invoice_detail"),
    path("invoices/<int:pk>/hold/", views.invoice_hold, name="invoice_hold"),
    path("invoices/<int:pk>/release/", views.invoice_release, name="invoice_release"),
    path("invoices/<int:pk>/payment/", views.invoice_payment, name="invoice_payment"),
]
