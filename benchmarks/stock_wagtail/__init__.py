"""A minimal stock Wagtail page type, only in page_render.py's own database: the baseline.

``StockPage`` is what a site built straight from Wagtail's tutorial would have: a page with
the same StreamField body as ``TreatmentPage``, rendered by a template that only loops
``include_block`` over it. No navigation, breadcrumb, footer, ratings or cache headers.
"""
