/* On a form page answering a refused send (errors, or "please wait"): no resend prompt on
   Back or reload, focus on the error summary, and summary links that keep each field's label
   and error in view. */
(function () {
    "use strict";
    // This page is the answer to a POST. Its history entry becomes an ordinary visit of the
    // form's address, so Back and reload fetch the form again (the browser refills what the
    // patient typed; the same answers sent again are the same request) instead of asking to
    // send the old answers again ("Confirm Form Resubmission", ERR_CACHE_MISS). The answers
    // stay in this page only: nothing is kept on the server or put in the address.
    if (window.history && window.history.replaceState) {
        window.history.replaceState(window.history.state, "", window.location.href);
    }

    var summary = document.getElementById("error-summary");
    if (!summary) return;
    // Keyboard and screen reader users hear what to fix first.
    summary.focus();

    // As GOV.UK's error summary does: following a link focuses its field with the field's
    // label or legend, and the error under it, in view (a plain #link scrolls the input to
    // the very top, above which they then sit out of sight).
    summary.addEventListener("click", function (event) {
        var link = event.target.closest("a[href^='#']");
        if (!link) return;
        var input = document.getElementById(decodeURIComponent(link.hash.slice(1)));
        if (!input) return;
        var fieldset = input.closest("fieldset");
        var start =
            input.closest(".form-field") ||
            (fieldset && fieldset.querySelector("legend")) ||
            (input.labels && input.labels[0]) ||
            input;
        event.preventDefault();
        start.scrollIntoView({ block: "start" });
        input.focus({ preventScroll: true });
    });
})();
