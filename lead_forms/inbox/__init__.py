"""The staff inbox: who may read requests, audit, export, deletion and idle sign-out."""
