"""The admin pages of the second factor: enrol an authenticator, verify a sign-in, recovery codes.

Thin views over ``lead_forms.staff_sign_in.two_factor``. Registered as admin URLs (``wagtail_hooks``), so
Wagtail's ``require_admin_access`` sends anyone not signed in to its login page first; the
pages look like that login page. None of them is cached (``never_cache``): they show secrets.
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from ..conf import app_settings
from . import two_factor


class CodeForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Code"),
        max_length=32,
        strip=True,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "autocapitalize": "none", "spellcheck": "false"}
        ),
    )


def safe_next(request):
    """The ``next`` the user came for, if it is on this site; else the admin's dashboard."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("wagtailadmin_home")


def sign_in_help():
    return app_settings.LEAD_FORMS_SIGN_IN_HELP or gettext("an administrator of this site")


def too_many_wrong_codes(wait):
    return ngettext(
        "Too many wrong codes. Wait %(seconds)d second, then try again.",
        "Too many wrong codes. Wait %(seconds)d seconds, then try again.",
        wait,
    ) % {"seconds": wait}


def render(request, template, context, status=200):
    context = {"next": safe_next(request), "sign_in_help": sign_in_help(), **context}
    return TemplateResponse(request, f"lead_forms/admin/{template}", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request):
    """Set up an authenticator app: QR code and secret, then a first code to confirm it."""
    user = request.user
    if not two_factor.two_factor_required(user):
        # Nobody would ask for what they set up: staff outside the rule are not offered it.
        return redirect(safe_next(request))
    if two_factor.totp_device(user) is not None:
        # Replacing a confirmed authenticator is an administrator's reset, never a signed-in
        # session's: whoever holds only the password must not add a device of their own.
        return redirect(two_factor.next_step_url(user, safe_next(request)))
    device = two_factor.pending_totp_device(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        confirmed, wait = two_factor.confirm_enrolment(user, device, form.cleaned_data["code"])
        if confirmed:
            two_factor.mark_verified(request, device)
            request.session[two_factor.NEW_CODES_SESSION_KEY] = two_factor.make_recovery_codes(user)
            query = urlencode({"next": safe_next(request)})
            return redirect(f"{reverse(two_factor.RECOVERY_CODES_URL_NAME)}?{query}")
        form.add_error(
            "code",
            too_many_wrong_codes(wait)
            if wait
            else gettext(
                "That code did not match. Check the time on your phone is right and enter the newest code."
            ),
        )
    title = gettext("QR code to scan with an authenticator app")
    context = {
        "form": form,
        "qr_code": two_factor.qr_code_svg(device, title),
        "secret": two_factor.secret_for_people(device),
    }
    return render(request, "two_factor_enrol.html", context, status=400 if form.errors else 200)


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request):
    """Confirm this sign-in with a code from the authenticator app or a recovery code."""
    user = request.user
    if two_factor.is_verified(user) or not two_factor.two_factor_required(user):
        return redirect(safe_next(request))
    if two_factor.totp_device(user) is None:
        return redirect(two_factor.next_step_url(user, safe_next(request)))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        device, wait = two_factor.verify_code(user, form.cleaned_data["code"])
        if device is not None:
            two_factor.mark_verified(request, device)
            if device.name == two_factor.RECOVERY_DEVICE_NAME:
                left = two_factor.recovery_codes_left(user)
                messages.warning(
                    request,
                    ngettext(
                        "You signed in with a recovery code; %(count)d is left. Make new ones under "
                        "Account › Recovery codes.",
                        "You signed in with a recovery code; %(count)d are left. Make new ones under "
                        "Account › Recovery codes.",
                        left,
                    )
                    % {"count": left},
                )
            return redirect(safe_next(request))
        status = 400
        form.add_error(
            "code",
            too_many_wrong_codes(wait) if wait else gettext("That code is not right, or was already used."),
        )
    return render(request, "two_factor_verify.html", {"form": form}, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def recovery_codes(request):
    """New recovery codes, shown once; a POST replaces the old ones (the middleware asks verified users only)."""
    user = request.user
    if two_factor.totp_device(user) is None:
        # Recovery codes stand in for an authenticator; without one there is nothing to recover.
        return redirect(
            two_factor.next_step_url(user, "") if two_factor.two_factor_required(user) else safe_next(request)
        )
    if request.method == "POST":
        request.session[two_factor.NEW_CODES_SESSION_KEY] = two_factor.make_recovery_codes(user)
        return redirect(reverse(two_factor.RECOVERY_CODES_URL_NAME))
    codes = request.session.pop(two_factor.NEW_CODES_SESSION_KEY, None)
    context = {"codes": codes, "codes_left": two_factor.recovery_codes_left(user)}
    return render(request, "two_factor_recovery_codes.html", context)
