# Varnish in front of the clinic site (Varnish 6/7, Debian's `varnish` package).
#
# The site's apps say in HTTP what a shared cache may keep: pages that are the same for
# every anonymous reader answer `Cache-Control: public, max-age=.., s-maxage=..,
# stale-while-revalidate=..` with a `Surrogate-Key`; everything personal is private or
# no-store. This file follows those headers and adds only what a shared cache must do
# itself: pass signed-in editors, the admin and previews; keep only the query parameters a
# page reads; ask the app whether a session cookie is anyone's before passing it; compress
# text; normalise `Host`; take purges (Wagtail's frontend cache, FRONTEND_CACHE_PURGE_URL)
# only from allowed addresses that also present the purge token.
#
# No cheap way around the cache (tests/cms_site/test_page_cache_varnish.py): the key is
# the host and the URL, so cookies never enter it; an unknown query parameter is dropped
# before the lookup; a made-up or expired `sessionid` costs one session lookup in the app
# (cms_site.shared_cache.SessionCheckMiddleware), not a render.
#
# The purge token: a long random value in the environment of varnishd as
# VARNISH_PURGE_TOKEN (read with std.getenv, e.g. `Environment=VARNISH_PURGE_TOKEN=...`
# in a systemd drop-in), and the same value in the site's FRONTEND_CACHE_PURGE_TOKEN, which
# the purge backend (treatment_pages.frontend_cache.TokenHTTPBackend) sends as
# `X-Purge-Token`. An address alone is not enough: a TLS proxy on the same host makes every
# reader arrive from loopback. Without the variable set, every PURGE and BAN is refused.
#
# Backend: edit the address below (benchmarks/shared_cache.sh writes its own copy).
vcl 4.1;

import std;

backend default {
    .host = "127.0.0.1";
    .port = "8000";
    .connect_timeout = 2s;
    .first_byte_timeout = 30s;
}

# Who may PURGE (one URL) or BAN (everything): the app servers and their task workers.
acl purgers {
    "127.0.0.1";
    "::1";
}

sub vcl_recv {
    # Set below, never by a client.
    if (req.restarts == 0) {
        unset req.http.X-Session-Check;
        unset req.http.X-Session-Dropped;
    }
    # One cache entry per site, however the client spells its name: `Clinic.Example:8080`,
    # `clinic.example.` and `clinic.example` are the same page (ports and a trailing dot
    # dropped, lowercased), so neither a port nor letter case makes a new copy to fill or poison.
    if (req.http.Host) {
        set req.http.Host = std.tolower(regsub(req.http.Host, "(:[0-9]*)?$", ""));
        set req.http.Host = regsub(req.http.Host, "\.$", "");
    }

    if (req.method == "PURGE" || req.method == "BAN") {
        # An allowed address AND the token (at least 32 characters, else nobody may purge).
        if (client.ip !~ purgers
            || std.getenv("VARNISH_PURGE_TOKEN") !~ "^.{32,}$"
            || req.http.X-Purge-Token != std.getenv("VARNISH_PURGE_TOKEN")) {
            return (synth(403, "Purging is not allowed"));
        }
    }
    # Never passed on: the app has no use for it, and logs beyond Varnish must not see it.
    unset req.http.X-Purge-Token;
    if (req.method == "PURGE") {
        # Every host and query-less variant of the path: the URL Wagtail names may carry
        # the site's canonical hostname while readers arrive under another.
        ban("obj.http.x-url == " + regsub(req.url, "\?.*$", ""));
        return (synth(200, "Purged"));
    }
    if (req.method == "BAN") {
        ban("obj.status != 0");
        return (synth(200, "Banned everything"));
    }

    # Query parameters: only those a page reads reach the cache key and the app, so a
    # random query string is neither a new object to store nor a render.
    if (req.url ~ "^/(api|admin|_util|documents)/" || req.url ~ "/thank-you/(\?|$)") {
        # These read parameters of their own (API filters, sign-in's `next`, the thank-you
        # page's token; the API answers 400 to one it does not know): only campaign
        # tracking, which never changes an answer, is dropped.
        if (req.url ~ "[?&](utm_[A-Za-z_]*|gclid|fbclid|dclid|msclkid|mc_cid|mc_eid|_ga)=") {
            set req.url = regsuball(req.url, "([?&])(utm_[A-Za-z_]*|gclid|fbclid|dclid|msclkid|mc_cid|mc_eid|_ga)=[^&]*", "\1");
            set req.url = regsuball(req.url, "&&+", "&");
            set req.url = regsub(req.url, "\?&", "?");
            set req.url = regsub(req.url, "[?&]+$", "");
        }
    } elsif (req.url ~ "^/search/?(\?|$)") {
        # Site search reads `q` and `page` (treatment_pages.views.search), nothing else.
        set req.http.X-Kept-Query = "";
        if (req.url ~ "[?&]q=") {
            set req.http.X-Kept-Query = "&q=" + regsub(req.url, "^.*[?&]q=([^&]*).*$", "\1");
        }
        if (req.url ~ "[?&]page=") {
            set req.http.X-Kept-Query = req.http.X-Kept-Query + "&page=" + regsub(req.url, "^.*[?&]page=([^&]*).*$", "\1");
        }
        set req.url = regsub(req.url, "\?.*$", "");
        if (req.http.X-Kept-Query ~ ".") {
            set req.url = req.url + "?" + regsub(req.http.X-Kept-Query, "^&", "");
        }
        unset req.http.X-Kept-Query;
    } else {
        # Pages (Wagtail's, the plugin's articles and indexes), static and media files and
        # the sitemap read no query parameter.
        set req.url = regsub(req.url, "\?.*$", "");
    }

    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    # The admin (previews included) and the headless preview APIs (v2 and v3) are never
    # cached. (The app marks the v3 preview private, no-store too: this is belt and braces.)
    if (req.url ~ "^/admin(/|$)" || req.url ~ "^/api/v2/page_preview/" || req.url ~ "^/api/v3/preview/") {
        return (pass);
    }
    # A session may carry a login: an editor is never served a cached page, nor stores one.
    # A bearer token (drafts, staff data) or a reader's voter token (their own score) makes
    # an API answer personal: such requests never read the cache, even where the public
    # answer says Vary (Varnish would otherwise keep a variant per token).
    if (req.http.Authorization || req.http.X-Voter-Token) {
        return (pass);
    }
    if (req.http.Cookie ~ "(^|;\s*)sessionid=") {
        # Varnish cannot tell a signed-in editor's cookie from a made-up or expired one:
        # the app answers which it is before rendering (X-Session: none when the session
        # holds nothing, see vcl_deliver), so a made-up cookie costs a session lookup.
        if (req.url !~ "^/(api|admin)/") {
            set req.http.X-Session-Check = "1";
        }
        return (pass);
    }
    # Other cookies (a voter's, a CSRF cookie, Django's messages, which no public page
    # shows) stay for the app to read but are not part of the key: a response marked public
    # is the same for everyone, and a personal one says private/no-store and is never
    # stored (vcl_backend_response).
    return (hash);
}

sub vcl_backend_response {
    # Only what the app marked for shared caches, and never a response setting a cookie:
    # the same rule for every path, API included (a form token, a reader's score, a draft
    # or staff data is private/no-store, and POSTs are passed above). Other Vary headers
    # (X-Voter-Token, Origin, Accept-Encoding) are honoured by Varnish itself: one copy
    # per value.
    if (beresp.http.Set-Cookie
        || beresp.http.Cache-Control !~ "(^|,)\s*public"
        || beresp.http.Cache-Control ~ "(private|no-store|no-cache)"
        || beresp.http.Vary ~ "(?i)(cookie|authorization|\*)") {
        set beresp.uncacheable = true;
        set beresp.ttl = 30s;
        if (beresp.http.Content-Type ~ "^(text/|application/([a-z.+-]*json|javascript|xml))" && !beresp.http.Content-Encoding) {
            set beresp.do_gzip = true;
        }
        return (deliver);
    }
    # Varnish takes the TTL from s-maxage and the grace from stale-while-revalidate.
    # Text is stored gzipped (HTML 35 kB -> 5 kB) and unzipped for the rare client that
    # cannot take it. (Debian's Varnish has no brotli.)
    if (beresp.http.Content-Type ~ "^(text/|application/([a-z.+-]*json|javascript|xml))" && !beresp.http.Content-Encoding) {
        set beresp.do_gzip = true;
    }
    # Remembered for purges by path (lurker-friendly bans).
    set beresp.http.x-url = regsub(bereq.url, "\?.*$", "");
    return (deliver);
}

sub vcl_deliver {
    # The app found nothing in this session (cms_site.shared_cache): the same request again
    # without the cookie, which the cache answers; the browser is told to drop it.
    if (resp.http.X-Session == "none" && req.restarts == 0) {
        set req.http.Cookie = regsuball(req.http.Cookie, "(^|;\s*)sessionid=[^;]*", "");
        unset req.http.X-Session-Check;
        set req.http.X-Session-Dropped = "1";
        return (restart);
    }
    unset resp.http.X-Session;
    if (req.http.X-Session-Dropped) {
        set resp.http.Set-Cookie = "sessionid=; Max-Age=0; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT";
    }
    unset resp.http.x-url;
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
