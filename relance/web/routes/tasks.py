"""URLs of the tasks pages (names live in the "web" namespace)."""

from django.urls import path

from relance.web.views import tasks

urlpatterns = [
    path("tasks/", tasks.task_list, name="tasks"),
    path("tasks/<int:pk>/", tasks.task_detail, name="task_detail"),
    path("tasks/<int:pk>/assign/", tasks.task_assign, name="task_assign"),
    path("tasks/<int:pk>/due/", tasks.task_due, name="task_due"),
    path("tasks/<int:pk>/done/", tasks.task_done, name="task_done"),
    path("tasks/<int:pk>/reopen/", tasks.task_reopen, name="task_reopen"),
    path("tasks/<int:pk>/resume/", tasks.task_resume, name="task_resume"),
]
