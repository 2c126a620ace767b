"""Django's cached database session engine, with the admin session age (see ``cms_site.sessions``)."""

from django.contrib.sessions.backends import cached_db

from . import AdminSessionAgeMixin


class SessionStore(AdminSessionAgeMixin, cached_db.SessionStore):
    pass
