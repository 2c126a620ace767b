"""Webhooks: signed change notifications to a front end, and their admin screens."""
