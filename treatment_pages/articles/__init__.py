"""Articles: loading, representing and describing a treatment article's body (FAQ, SEO, JSON-LD, images)."""
