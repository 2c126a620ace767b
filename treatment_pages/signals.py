"""Signals other code can listen to (the page cache invalidates on these).

``rating_summary_changed`` is sent with ``sender=Rating`` and ``page_id=<int>`` after
the transaction that changed a page's rating summary commits: a new vote, a changed
vote, or a deleted rating. Keep the name: the page cache connects to it.
"""

import django.dispatch

rating_summary_changed = django.dispatch.Signal()
