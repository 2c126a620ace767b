"""Public URLs of the treatment_pages app (include them before Wagtail's page serving)."""

from django.urls import path

from treatment_pages import views

app_name = "treatment_pages"

urlpatterns = [
    path("ratings/<int:page_id>/", views.rating_state, name="rating_state"),
    path("ratings/<int:page_id>/vote/", views.rating_vote, name="rating_vote"),
    path("feedback/<int:page_id>/", views.page_feedback, name="feedback"),
    path("feedback/<int:page_id>/thanks/", views.page_feedback_thanks, name="feedback_thanks"),
]
