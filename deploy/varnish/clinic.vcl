# Varnish in front of the clinic site (Varnish 6/7, Debian's `varnish` package).
#
# The site's apps say in HTTP what a shared cache may keep: pages that are the same for
# every anonymous reader answer `Cache-Control: public, max-age=.., s-maxage=..,
# stale-while-revalidate=..` with a `Surrogate-Key`; everything personal is private or
# no-store. This file follows those headers and adds only what a shared cache must do
# itself: pass signed-in editors, the admin and previews; strip campaign parameters;
# normalise `Host`; take purges (Wagtail's frontend cache, FRONTEND_CACHE_PURGE_URL) only
# from allowed addresses that also present the purge token.
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

    # Campaign tracking never changes a page: one cached copy for all of them.
    if (req.url ~ "[?&](utm_[A-Za-z_]*|gclid|fbclid|dclid|msclkid|mc_cid|mc_eid|_ga)=") {
        set req.url = regsuball(req.url, "([?&])(utm_[A-Za-z_]*|gclid|fbclid|dclid|msclkid|mc_cid|mc_eid|_ga)=[^&]*", "\1");
        set req.url = regsuball(req.url, "&&+", "&");
        set req.url = regsub(req.url, "\?&", "?");
        set req.url = regsub(req.url, "[?&]+$", "");
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
    if (req.http.Authorization || req.http.X-Voter-Token || req.http.Cookie ~ "(^|;\s*)(sessionid|messages)=") {
        return (pass);
    }
    # Other cookies (a voter's, a CSRF cookie) stay for the app to read, but do not keep a
    # request from the cache: a response marked public is the same for everyone, and a
    # personal one says private/no-store and is never stored (vcl_backend_response).
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
        return (deliver);
    }
    # Varnish takes the TTL from s-maxage and the grace from stale-while-revalidate.
    # Remembered for purges by path (lurker-friendly bans).
    set beresp.http.x-url = regsub(bereq.url, "\?.*$", "");
    return (deliver);
}

sub vcl_deliver {
    unset resp.http.x-url;
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
