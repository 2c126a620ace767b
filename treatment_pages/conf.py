"""Every setting treatment_pages reads, with its default.

Read them through ``app_settings`` (``from treatment_pages.conf import app_settings``)
at call time, so ``override_settings`` and a host's settings module both apply.
A host sets only the ones it wants to change.
"""

from django.conf import settings

DEFAULTS = {
    # The template the app's pages extend; it must define a ``content`` block (the pages
    # also fill ``title`` and ``body_class`` where the base has them). See README "Templates".
    "TREATMENT_PAGES_BASE_TEMPLATE": "base.html",
    # Page types a treatments section may be created under, e.g. ["home.HomePage"]
    # (read when models load). None: under any page.
    "TREATMENT_INDEX_PARENT_PAGE_TYPES": None,
    # Page types that may be the clinic's appointment page (clinic settings) and the target of
    # a "Next steps" link, e.g. ["lead_forms.AppointmentFormPage"]. Empty: any page.
    "TREATMENT_PAGES_APPOINTMENT_PAGE_TYPES": [],
    # Votes one client IP may cast, in django-ratelimit's notation ("30/m"); empty = no limit.
    "RATINGS_VOTE_RATE": "30/m",
    # Secret that turns voter cookies into stored keys; empty = derived from SECRET_KEY.
    "RATINGS_VOTER_SECRET": "",
    # Ballot stuffing: new voters (first votes on a page) one client address may create per
    # page per window (0 = no limit), counted in the shared cache under a keyed hash.
    "RATINGS_NEW_VOTERS_PER_ADDRESS": 5,
    "RATINGS_NEW_VOTER_WINDOW": 24 * 60 * 60,
    # Votes on one article within this many seconds are purged from shared caches together,
    # in one deferred purge (needs a task backend that can defer, e.g. the database one).
    # 0: every vote purges at once.
    "TREATMENT_PAGES_RATING_PURGE_SECONDS": 10,
    # The cache alias rate limits count in, and how they find the client's address
    # (django-ratelimit's own settings; None: client_ip.py's TRUSTED_PROXIES rule).
    "RATELIMIT_USE_CACHE": "default",
    "RATELIMIT_IP_META_KEY": None,
    # Front ends on other origins whose pages may post to the v3 API anonymously (django-cors-headers'
    # own setting; api_policy.py). The site's own origin is always allowed.
    "CORS_ALLOWED_ORIGINS": [],
    # Months between two clinical reviews of an article, unless the article sets its own.
    "TREATMENT_PAGES_REVIEW_INTERVAL_MONTHS": 12,
    # An article whose readers rate it below this average...
    "TREATMENT_PAGES_LOW_RATING_THRESHOLD": 3.0,
    # ...from at least this many ratings comes back for clinical review.
    "TREATMENT_PAGES_LOW_RATING_MIN_COUNT": 5,
    # schema.org aggregateRating in the articles' JSON-LD. Off: Google shows review stars only for
    # some types and ignores "self-serving" reviews of a business on its own site, so it earns
    # nothing for a clinic's MedicalWebPage and risks a manual action (README "Structured data").
    "TREATMENT_PAGES_JSON_LD_AGGREGATE_RATING": False,
    # "Was this page helpful?": this many "No" answers giving "out of date" (or, counted apart,
    # "hard to understand") since an article's last clinical review put it in the review queue.
    # 0: reader feedback never queues an article.
    "TREATMENT_PAGES_FEEDBACK_REVIEW_THRESHOLD": 5,
    # The clinic's target reading grade (Flesch-Kincaid) for patient information.
    "TREATMENT_PAGES_READABILITY_TARGET_GRADE": 8.0,
    # The target for Spanish articles, on the Fernández Huerta ease scale (0-100, higher reads
    # easier): 60 is the bottom of its "normal" band, which it places at school grades 7-8.
    "TREATMENT_PAGES_READABILITY_TARGET_EASE_ES": 60.0,
    # How long a shared cache (CDN, Varnish, a site's own page cache) may keep a public page:
    # its s-maxage. Sent only where WAGTAILFRONTENDCACHE names a backend, which the app then
    # purges on change (treatment_pages.caching.purging); elsewhere pages are cached by browsers only,
    # for at most a minute. 0: no caching headers beyond Django's.
    "PAGE_CACHE_SECONDS": 600,
    # The group whose members may approve the "Clinical review" workflow task.
    "TREATMENT_PAGES_CLINICAL_REVIEWERS_GROUP": "Clinical reviewers",
    # A webhook endpoint configured as code (every event), besides those administrators add,
    # with its Standard Webhooks signing secret (whsec_...).
    "WEBHOOK_URL": "",
    "WEBHOOK_SECRET": "",
    # Deliveries tried before one is marked failed; retries wait 1, 2, 4... times the delay.
    "WEBHOOK_MAX_ATTEMPTS": 6,
    "WEBHOOK_RETRY_SECONDS": 30,
    # Seconds a receiver has to answer one delivery.
    "WEBHOOK_TIMEOUT_SECONDS": 5,
    # The app's own small stylesheet and scripts (star sizes, rating widget, page tools), loaded
    # by its page templates from inside the content block, so they arrive whatever blocks the
    # host's base template has. False: the host styles and scripts the pages itself (or
    # overrides treatment_pages/includes/frontend_assets.html to load its own files).
    "TREATMENT_PAGES_FRONTEND_ASSETS": True,
    # The breadcrumb above the app's pages; False for a host whose base template shows its own.
    "TREATMENT_PAGES_BREADCRUMB": True,
    # Where readers see the pages when a separate front end serves them (headless), e.g.
    # "https://www.clinic.example": canonical URLs, hreflang alternates, JSON-LD and the sitemap
    # point there (a page at /treatments/acne/ here is <base>/treatments/acne/). Empty: this site.
    "TREATMENT_PAGES_FRONTEND_BASE_URL": "",
    # The host's own proxies in front of the app (load balancer, CDN, Varnish) as networks, e.g.
    # ["10.0.0.0/8", "127.0.0.1/32"]: only a request from one of them has its X-Forwarded-For read,
    # walked from the right past these networks to the client (client_ip.py). Empty: REMOTE_ADDR.
    "TRUSTED_PROXIES": [],
    # Networks webhook deliveries may reach although they are not public (loopback, private,
    # link-local...), as CIDRs, e.g. ["10.20.0.0/16"] for a build server on the clinic's own
    # network. Empty: public addresses only (webhook_targets.py).
    "WEBHOOK_ALLOWED_NETWORKS": [],
}


class AppSettings:
    """Attribute access to the settings above: the host's value, else the default."""

    def __getattr__(self, name):
        if name not in DEFAULTS:
            raise AttributeError(f"treatment_pages has no setting {name}")
        return getattr(settings, name, DEFAULTS[name])


app_settings = AppSettings()


def review_interval_months():
    return int(app_settings.TREATMENT_PAGES_REVIEW_INTERVAL_MONTHS)


def rating_purge_seconds():
    """``TREATMENT_PAGES_RATING_PURGE_SECONDS``: how long votes on one article are batched."""
    return int(app_settings.TREATMENT_PAGES_RATING_PURGE_SECONDS or 0)


def low_rating_threshold():
    return float(app_settings.TREATMENT_PAGES_LOW_RATING_THRESHOLD)


def low_rating_min_count():
    return int(app_settings.TREATMENT_PAGES_LOW_RATING_MIN_COUNT)


def readability_target_grade():
    return float(app_settings.TREATMENT_PAGES_READABILITY_TARGET_GRADE)


def readability_target_ease_es():
    return float(app_settings.TREATMENT_PAGES_READABILITY_TARGET_EASE_ES)


def clinical_reviewers_group():
    return str(app_settings.TREATMENT_PAGES_CLINICAL_REVIEWERS_GROUP)


def appointment_page_types():
    """``TREATMENT_PAGES_APPOINTMENT_PAGE_TYPES``: the page types that count as the clinic's
    appointment page (model labels; this app cannot name the form app's page type). Empty: any page."""
    return list(app_settings.TREATMENT_PAGES_APPOINTMENT_PAGE_TYPES or [])
