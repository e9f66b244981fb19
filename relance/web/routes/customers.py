"""URLs of the customers pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views import customers as views

urlpatterns = [
    path("customers/", views.customer_list, name="customers"),
    path("customers/<int:pk>/", views.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/hold/", views.customer_hold, name="customer_hold"),
    path("customers/<int:pk>/release/", views.customer_release, name="customer_release"),
    path("customers/<int:pk>/payment/", views.customer_payment, name="customer_payment"),
    path("customers/<int:pk>/exclude/", views.customer_exclude, name="customer_exclude"),
    path("customers/<int:pk>/include/", views.customer_include, name="customer_include"),
    path("customers/<int:pk>/resume/", views.customer_resume, name="customer_resume"),
    path("customers/<int:pk>/call/", views.customer_call, name="customer_call"),
    path("customers/<int:pk>/contact/", views.customer_contact, name="customer_contact"),
    path("customers/<int:pk>/note/", views.customer_note, name="customer_note"),
    path("customers/<int:pk>/send-now/", views.customer_send_now, name="customer_send_now"),
]
