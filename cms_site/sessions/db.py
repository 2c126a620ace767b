"""Django's database session engine, with the admin session age (see ``cms_site.sessions``)."""

from django.contrib.sessions.backends import db

from . import AdminSessionAgeMixin


class SessionStore(AdminSessionAgeMixin, db.SessionStore):
    pass
