"""Clinical review: review dates, the review queue, sign-off, readability, citations and digests."""
