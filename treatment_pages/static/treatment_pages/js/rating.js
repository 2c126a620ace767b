// Rating widget: votes without a page reload and announces the result to screen readers.
// Without this script the same form posts normally and the server redirects back.
// With it, a click on a star is the vote (Enter for keyboard readers): the submit button
// is hidden, and after a vote the one status message replaces the "You rated..." line.
// Its words come from the widget's data-message-* attributes (translated with the page).
(function () {
    "use strict";

    function csrfFromForm(form) {
        var input = form.querySelector('input[name="csrfmiddlewaretoken"]');
        return input ? input.value : "";
    }

    function Widget(root) {
        this.root = root;
        this.form = root.querySelector("[data-rating-form]");
        this.text = root.querySelector("[data-rating-text]");
        this.stars = root.querySelectorAll("[data-rating-stars] > *");
        this.prompt = root.querySelector("[data-rating-prompt]");
        this.own = root.querySelector("[data-rating-own]");
        this.status = root.querySelector("[data-rating-status]");
        this.submitButton = this.form.querySelector('button[type="submit"]');
        // The star click votes: a button that would vote again is only confusing.
        this.submitButton.hidden = true;
        var hint = root.querySelector("[data-rating-hint]");
        if (hint) { hint.hidden = false; }
        this.csrfToken = csrfFromForm(this.form);
        this.pointerChoice = false;
        this.busy = false;
        this.bind();
        // A page from a shared cache carries no personal state: ask for this reader's own score.
        if (!root.hasAttribute("data-personal-state")) {
            this.loadState();
        }
    }

    Widget.prototype.bind = function () {
        var widget = this;
        var group = this.form.querySelector(".rating__stars");
        // A click or tap on a star votes at once; arrow keys only move the choice, so a
        // keyboard reader moving from 1 to 4 stars does not cast four votes. Enter sends the
        // keyboard reader's choice.
        group.addEventListener("pointerdown", function () { widget.pointerChoice = true; });
        group.addEventListener("click", function () {
            // "change" (if any) fires right after this click; forget the pointer after that.
            window.setTimeout(function () { widget.pointerChoice = false; }, 0);
        });
        group.addEventListener("change", function () {
            if (widget.pointerChoice) {
                widget.pointerChoice = false;
                widget.submit();
            }
        });
        group.addEventListener("keydown", function (event) {
            widget.pointerChoice = false;
            if (event.key === "Enter" && event.target.matches('input[type="radio"]')) {
                event.preventDefault();
                widget.submit();
            }
        });
        this.form.addEventListener("submit", function (event) {
            event.preventDefault();
            widget.submit();
        });
    };

    Widget.prototype.loadState = function () {
        var widget = this;
        fetch(this.root.getAttribute("data-state-url"), {
            credentials: "same-origin",
            headers: { Accept: "application/json" },
        })
            .then(function (response) { return response.ok ? response.json() : null; })
            .then(function (state) {
                if (!state) { return; }
                if (state.csrf_token) { widget.csrfToken = state.csrf_token; }
                widget.show(state, false);
            })
            .catch(function () { /* the server-rendered summary stays */ });
    };

    Widget.prototype.selectedScore = function () {
        var checked = this.form.querySelector('input[name="score"]:checked');
        return checked ? parseInt(checked.value, 10) : null;
    };

    Widget.prototype.submit = function () {
        var widget = this;
        if (this.busy) { return; }
        if (this.selectedScore() === null) {
            this.announce(this.root.dataset.messageChoose);
            return;
        }
        this.busy = true;
        this.submitButton.disabled = true;
        this.root.setAttribute("aria-busy", "true");
        var body = new FormData(this.form);
        body.set("csrfmiddlewaretoken", this.csrfToken);
        fetch(this.form.action, {
            method: "POST",
            body: body,
            credentials: "same-origin",
            headers: { Accept: "application/json", "X-CSRFToken": this.csrfToken },
        })
            .then(function (response) {
                return response.json().then(
                    function (data) { return { ok: response.ok, data: data }; },
                    function () { return { ok: false, data: {} }; }
                );
            })
            .then(function (result) {
                if (result.ok) {
                    widget.show(result.data, true);
                    widget.announce(result.data.message);
                } else {
                    widget.announce(result.data.error || widget.root.dataset.messageFailed);
                }
            })
            .catch(function () {
                widget.announce(widget.root.dataset.messageOffline);
            })
            .then(function () {
                widget.busy = false;
                widget.submitButton.disabled = false;
                widget.root.removeAttribute("aria-busy");
            });
    };

    Widget.prototype.show = function (state, justVoted) {
        this.text.textContent = state.text;
        var filled = state.count ? Math.floor(state.average + 0.5) : 0;
        for (var i = 0; i < this.stars.length; i++) {
            this.stars[i].classList.toggle("is-filled", i < filled);
        }
        if (this.prompt) { this.prompt.hidden = state.count > 0; }
        if (state.your_score) {
            var radio = this.form.querySelector('input[name="score"][value="' + state.your_score + '"]');
            if (radio && (justVoted || !this.form.querySelector('input[name="score"]:checked'))) {
                radio.checked = true;
            }
            this.own.textContent = this.root.dataset.messageOwn.replace(
                "%(stars)s", radio ? radio.getAttribute("data-label") : String(state.your_score)
            );
            // Just voted: the status message says it; the same words twice would be noise.
            this.own.hidden = justVoted;
        }
    };

    Widget.prototype.announce = function (message) {
        // Clear first so that the same message twice is still announced.
        var status = this.status;
        status.textContent = "";
        window.setTimeout(function () { status.textContent = message; }, 50);
    };

    document.querySelectorAll("[data-rating-widget]").forEach(function (root) {
        new Widget(root);
    });
})();
