"""Submissions: the appointment form, its fields, spam defences and the thank-you link."""
