"""Shared caching of pages: cache headers, fragment versions and purging."""
