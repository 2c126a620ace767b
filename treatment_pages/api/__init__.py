"""The optional v3 API (django-ninja): routers and typed StreamField schemas."""
