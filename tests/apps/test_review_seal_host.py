"""Issue 28 in a host built from the README (no cms_site): the review seal and "Was this page helpful?"."""

import json

import pytest
from bs4 import BeautifulSoup
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.urls import reverse
from wagtail.models import GroupPagePermission, Workflow, WorkflowPage, WorkflowTask

from treatment_pages.models import ClinicalReviewTask, Clinician, PageFeedback, TreatmentPage
from treatment_pages.review import service as review

pytestmark = pytest.mark.django_db


@pytest.fixture
def clinician_login(host_home):
    user = get_user_model().objects.create_user(username="dr-host", password="x", is_staff=True)
    user.groups.add(review.ensure_clinical_reviewers_group())
    clinician = Clinician(name="Dr Host Reviewer", credentials="MD", user=user)
    clinician.save()
    clinician.save_revision().publish()
    return user


def approve(client, page, user):
    workflow = Workflow.objects.create(name="Host sign-off")
    WorkflowTask.objects.create(
        workflow=workflow, task=ClinicalReviewTask.objects.create(name="Clinical review"), sort_order=0
    )
    WorkflowPage.objects.get_or_create(page=page.get_parent(), defaults={"workflow": workflow})
    # As a host sets up its reviewers (the reference site's demo does the same).
    for codename in ("change_page", "publish_page"):
        GroupPagePermission.objects.get_or_create(
            group=review.ensure_clinical_reviewers_group(),
            page=page.get_parent(),
            permission=Permission.objects.get(codename=codename),
        )
    editor = get_user_model().objects.create_superuser(username="host-editor", password="x")
    page.save_revision(user=editor)
    state = workflow.start(page, editor)
    client.force_login(user)
    response = client.post(
        reverse("wagtailadmin_pages:workflow_action", args=[page.pk, "approve", state.current_task_state.pk]),
        {"approval-change_note": "Checked by the host's clinician."},
    )
    assert response.status_code == 302
    assert response["Location"] != "/admin/"  # where a refused action lands
    client.logout()


def answers(client, page):
    response = client.get(page.url)
    assert response.status_code == 200
    soup = BeautifulSoup(response.content, "html.parser")
    byline = " ".join(soup.select_one(".review-byline").get_text().split())
    api = client.get(f"/api/v3/pages/{page.pk}/")
    assert api.status_code == 200
    return byline, api.json()


def test_the_seal_holds_until_a_clinical_change_in_a_readme_host(client, article, clinician_login):
    Group.objects.get(name="Clinical reviewers")  # made by the app's migrations in any host
    approve(client, article, clinician_login)

    byline, api = answers(client, article)
    assert "Medically reviewed by Dr Host Reviewer, MD" in byline
    assert "Checked by the host's clinician." in byline
    assert api["review_status"] == "reviewed"

    draft = TreatmentPage.objects.get(pk=article.pk).get_latest_revision_as_object()
    draft.body[0].value["steps"][0]["text"] = "Avoid aspirin for two weeks"
    draft.change_note = "Longer break from aspirin."
    draft.save_revision().publish()

    byline, api = answers(client, article)
    assert "Clinical review pending" in byline and "Longer break from aspirin." in byline
    assert api["review_status"] == "pending" and api["medical_reviewer"] is None
    assert review.review_queue().filter(review.status_q(review.CHANGED_SINCE_REVIEW)).get().pk == article.pk


def test_feedback_form_and_api_work_in_a_readme_host(client, article):
    soup = BeautifulSoup(client.get(article.url).content, "html.parser")
    action = soup.select_one("#feedback form")["action"]

    response = client.post(
        action,
        {"helpful": "no", "reason": "out_of_date", "comment": "mail me: a@b.example"},
        HTTP_SEC_FETCH_SITE="same-origin",
        follow=True,
    )

    assert response.status_code == 200
    assert "Host site header" in response.content.decode()  # the thank-you page uses the host's base
    assert PageFeedback.objects.get().comment == "mail me: [removed]"
    api = client.post(
        f"/api/v3/feedback/{article.pk}/",
        json.dumps({"helpful": True}),
        content_type="application/json",
        REMOTE_ADDR="10.9.8.7",
    )
    assert api.status_code == 200 and api.json()["voter_token"]
