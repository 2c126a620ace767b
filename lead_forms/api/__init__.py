"""The optional v3 API (django-ninja): routers for form definitions, requests and staff."""
