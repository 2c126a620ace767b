"""The admin dashboard lists pages recently edited by anyone."""

from django.urls import reverse

from tests.factories import UserFactory


def dashboard(client, user):
    client.force_login(user)
    response = client.get(reverse("wagtailadmin_home"))
    assert response.status_code == 200
    return response.content.decode()


def test_the_dashboard_lists_pages_recently_edited_by_anyone(client, mesotherapy):
    author = UserFactory(username="author", first_name="Ana", last_name="Author", is_superuser=True)
    mesotherapy.title = "Mesotherapy, revised"
    mesotherapy.save_revision(user=author)
    reader = UserFactory(username="reader", is_superuser=True, is_staff=True)

    html = dashboard(client, reader)

    assert "Recently edited pages" in html
    assert "Mesotherapy, revised" in html and "Ana Author" in html
    assert reverse("wagtailadmin_pages:edit", args=[mesotherapy.pk]) in html
