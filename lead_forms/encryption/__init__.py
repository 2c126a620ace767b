"""Encryption of patient data at rest, the search blind index and key rotation."""
