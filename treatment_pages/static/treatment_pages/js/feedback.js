// "Was this page helpful?": progressive enhancement of a form that works without JavaScript.
// Without this script every question shows and the form posts to a thank-you page.
// With it, the reasons and comment show only after "No", and the answer is sent without leaving
// the page; the status line (a polite live region) says what happened. Every text comes from
// the page or the server, so it is in the reader's language.
(function () {
    "use strict";

    function enhance(root) {
        var form = root.querySelector("[data-feedback-form]");
        var more = root.querySelector("[data-feedback-more]");
        var status = root.querySelector("[data-feedback-status]");
        var errors = root.querySelector("[data-feedback-errors]");
        if (!form || !more || !status) { return; }

        function chosen() {
            var checked = form.querySelector("input[name=helpful]:checked");
            return checked ? checked.value : "";
        }
        function update() { more.hidden = chosen() !== "no"; }
        form.querySelectorAll("[data-feedback-helpful]").forEach(function (input) {
            input.addEventListener("change", update);
        });
        update();
        if (errors) { errors.focus(); }

        form.addEventListener("submit", function (event) {
            event.preventDefault();
            var data = new FormData(form);
            if (chosen() !== "no") { data.delete("reason"); data.delete("comment"); }
            status.textContent = "";
            fetch(form.action, {
                method: "POST",
                body: data,
                credentials: "same-origin",
                headers: { Accept: "application/json" }
            }).then(function (response) {
                return response.json().then(function (body) { return { ok: response.ok, body: body }; });
            }).then(function (result) {
                if (result.ok) {
                    form.querySelectorAll("fieldset, [data-feedback-more], button[type=submit]").forEach(function (el) {
                        el.hidden = true;
                    });
                    status.textContent = result.body.message;
                    status.setAttribute("tabindex", "-1");
                    status.focus();
                } else {
                    var messages = [];
                    Object.keys(result.body.errors || {}).forEach(function (name) {
                        result.body.errors[name].forEach(function (error) { messages.push(error.message); });
                    });
                    status.textContent = messages.length ? messages.join(" ") : result.body.error;
                }
            }).catch(function () {
                status.textContent = form.getAttribute("data-error-message");
            });
        });
    }

    document.querySelectorAll("[data-page-feedback]").forEach(enhance);
})();
