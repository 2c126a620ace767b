""" "Was this page helpful?": the form post, the v3 API, scrubbing, limits, reports and the review queue."""

import csv
import io
import json

import pytest
from bs4 import BeautifulSoup
from django.urls import reverse

from tests.factories import UserFactory
from tests.treatment_pages.ratings_support import Reader
from treatment_pages.feedback.service import feedback_counts, scrub_comment
from treatment_pages.models import PageFeedback
from treatment_pages.review import service as review


@pytest.fixture(autouse=True)
def generous_limits(settings):
    settings.RATINGS_VOTE_RATE = "1000/m"


def send(reader, page, *, json_answer=False, **data):
    extra = {"HTTP_ORIGIN": "http://testserver", "HTTP_SEC_FETCH_SITE": "same-origin"}
    if json_answer:
        extra["HTTP_ACCEPT"] = "application/json"
    return reader.client.post(reverse("treatment_pages:feedback", args=[page.pk]), data, **extra)


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("Write to jane.doe+skin@example.org about it", "Write to [removed] about it"),
        ("Call me on +1 (217) 555-0142 please", "Call me on [removed] please"),
        ("my number 07700 900123", "my number [removed]"),
        ("born 12/03/1980, record 12345678", "born [removed], record [removed]"),
        ("DOB 1980-03-12", "DOB [removed]"),
        ("born 12 March 1980 and March 12, 1980", "born [removed] and [removed]"),
        ("nací el 12 de marzo de 1980", "nací el [removed]"),
        ("The dose in step 2 says 10 mg twice a day", "The dose in step 2 says 10 mg twice a day"),
        ("Updated in 2019, before the 2023 guidance", "Updated in 2019, before the 2023 guidance"),
    ],
)
def test_comments_are_scrubbed_of_what_looks_like_patient_data(typed, stored):
    assert scrub_comment(typed) == stored


def test_the_article_has_the_form_with_a_personal_details_warning(client, mesotherapy):
    response = client.get(mesotherapy.url)

    assert response.status_code == 200
    form = BeautifulSoup(response.content, "html.parser").select_one("#feedback form")
    assert form["action"] == reverse("treatment_pages:feedback", args=[mesotherapy.pk])
    assert form.select_one("legend h2").get_text(strip=True) == "Was this page helpful?"
    assert [i["value"] for i in form.select("input[name=reason]")] == [
        "hard_to_understand",
        "out_of_date",
        "missing_information",
        "something_else",
    ]
    hint = form.select_one("#" + form.select_one("textarea")["aria-describedby"]).get_text()
    assert "Do not include personal details" in hint
    # The same for every reader: no token in the form.
    assert not form.select("input[name=csrfmiddlewaretoken]")


def test_a_no_with_reason_and_comment_is_stored_scrubbed_and_redirects_to_thanks(mesotherapy):
    reader = Reader()

    response = send(
        reader,
        mesotherapy,
        helpful="no",
        reason="out_of_date",
        comment="Old advice. Email me at pat@example.com or call 217 555 0142.",
    )

    assert response.status_code == 303
    assert response["Location"] == reverse("treatment_pages:feedback_thanks", args=[mesotherapy.pk])
    thanks = reader.client.get(response["Location"])
    assert thanks.status_code == 200 and b"Thank you for your feedback" in thanks.content
    answer = PageFeedback.objects.get(page=mesotherapy)
    assert (answer.helpful, answer.reason) == (False, "out_of_date")
    assert answer.comment == "Old advice. Email me at [removed] or call [removed]."
    assert feedback_counts(mesotherapy)["reasons"]["out_of_date"] == 1


def test_one_answer_per_reader_per_page_answering_again_changes_it(mesotherapy):
    reader = Reader()
    send(reader, mesotherapy, helpful="no", reason="hard_to_understand")

    response = send(reader, mesotherapy, json_answer=True, helpful="yes", reason="out_of_date", comment="x")

    assert response.status_code == 200
    assert response.json() == {"message": "Thank you for your feedback."}
    answer = PageFeedback.objects.get(page=mesotherapy)
    assert (answer.helpful, answer.reason, answer.comment) == (True, "", "")
    assert feedback_counts(mesotherapy) == {
        "yes": 1,
        "no": 0,
        "reasons": {"hard_to_understand": 0, "out_of_date": 0, "missing_information": 0, "something_else": 0},
    }


def test_a_form_with_mistakes_comes_back_with_the_answers_kept(mesotherapy):
    response = send(Reader(), mesotherapy, reason="bogus", comment="My comment stays")

    assert response.status_code == 400
    soup = BeautifulSoup(response.content, "html.parser")
    errors = soup.select_one("[data-feedback-errors]").get_text(" ", strip=True)
    assert "Choose yes or no." in errors and "Choose one of the reasons listed." in errors
    assert soup.select_one("textarea[name=comment]").get_text() == "My comment stays"
    assert not PageFeedback.objects.exists()


def test_answers_from_another_site_and_over_the_limits_are_refused(settings, mesotherapy):
    reader = Reader()
    response = reader.client.post(
        reverse("treatment_pages:feedback", args=[mesotherapy.pk]),
        {"helpful": "yes"},
        HTTP_ORIGIN="https://evil.example",
        HTTP_SEC_FETCH_SITE="cross-site",
    )
    assert response.status_code == 403

    # The ratings' new-voter limit, counted on its own for feedback.
    settings.RATINGS_NEW_VOTERS_PER_ADDRESS = 2
    shared_ip = Reader().ip
    statuses = [send(Reader(ip=shared_ip), mesotherapy, helpful="yes").status_code for _ in range(3)]
    assert statuses == [303, 303, 429]
    assert PageFeedback.objects.count() == 2


def test_the_v3_api_takes_an_answer_and_its_token_changes_it(client, mesotherapy):
    url = f"/api/v3/feedback/{mesotherapy.pk}/"
    body = {"helpful": False, "reason": "out_of_date", "comment": "Call 217-555-0142"}

    first = client.post(url, json.dumps(body), content_type="application/json", REMOTE_ADDR=Reader().ip)

    assert first.status_code == 200
    assert "no-store" in first["Cache-Control"]
    token = first.json()["voter_token"]
    assert PageFeedback.objects.get().comment == "Call [removed]"
    again = client.post(
        url,
        json.dumps({"helpful": True, "voter_token": token}),
        content_type="application/json",
        REMOTE_ADDR=Reader().ip,
    )
    assert again.status_code == 200
    assert PageFeedback.objects.count() == 1 and PageFeedback.objects.get().helpful is True
    bad = client.post(url, json.dumps({"helpful": "no"}), content_type="application/json")
    assert bad.status_code == 422
    forged = client.post(
        url, json.dumps({"helpful": True, "voter_token": token + "x"}), content_type="application/json"
    )
    assert forged.status_code == 422
    assert forged.json()["errors"] == [
        {
            "type": "invalid_voter_token",
            "loc": ["body", "voter_token"],
            "msg": "This voter token is not valid. Answer without one to get a new token.",
        }
    ]
    assert PageFeedback.objects.count() == 1


def test_enough_out_of_date_answers_queue_the_article_until_its_next_review(settings, mesotherapy):
    settings.TREATMENT_PAGES_FEEDBACK_REVIEW_THRESHOLD = 3
    for _ in range(2):
        send(Reader(), mesotherapy, helpful="no", reason="out_of_date")
    send(Reader(), mesotherapy, helpful="no", reason="hard_to_understand")
    assert not review.review_queue().filter(pk=mesotherapy.pk).exists()

    send(Reader(), mesotherapy, helpful="no", reason="out_of_date")

    assert review.review_queue().filter(pk=mesotherapy.pk).exists()
    page = review.articles().get(pk=mesotherapy.pk)
    texts = [str(reason.text) for reason in review.reasons_for(page) if reason.code == review.READER_FEEDBACK]
    assert texts == ["3 readers say it is out of date"]
    # A new clinical review starts the count again.
    from treatment_pages.review import seal

    seal.sign(page, reviewer=page.medical_reviewer, reviewed_on=page.last_reviewed)
    assert not review.review_queue().filter(review.status_q(review.READER_FEEDBACK)).exists()


def test_the_admin_report_counts_answers_per_page_and_reason_and_exports_them(client, mesotherapy):
    send(Reader(), mesotherapy, helpful="yes")
    send(Reader(), mesotherapy, helpful="no", reason="out_of_date", comment="=HYPERLINK(evil)")
    client.force_login(UserFactory(username="feedback-admin", is_superuser=True))

    response = client.get(reverse("treatment_pages_feedback_report"))
    assert response.status_code == 200
    row = next(
        row
        for row in BeautifulSoup(response.content, "html.parser").select("tbody tr")
        if "Mesotherapy" in row.get_text()
    )
    assert [cell.get_text(strip=True) for cell in row.select("td")][1:] == ["1", "1", "0", "1", "0", "0"]

    export = client.get(reverse("treatment_pages_feedback_answers"), {"export": "csv"})
    assert export.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert rows[0] == ["Article", "Answered on", "Reason", "Comment"]
    assert rows[1][0] == "Mesotherapy" and rows[1][2] == "It looks out of date"
    assert rows[1][3] == "'=HYPERLINK(evil)"  # the spreadsheet-safe writer neutralises formulas
