"""A host's own contact form (wagtail.contrib.forms), which the plugin must leave alone in the admin."""
