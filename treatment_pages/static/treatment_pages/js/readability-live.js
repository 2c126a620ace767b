// The Readability panel follows the text as the editor types: a second after the last change
// it posts the edit form (as it stands, with its CSRF token) to the panel's URL, which scores
// it without saving anything, and swaps in the new summary. Draftail and the StreamField keep
// their hidden inputs up to date, so the form's data is what the editor sees.
(function () {
    'use strict';
    var DELAY_MS = 1000;

    function start() {
        var panel = document.querySelector('[data-readability-panel]');
        if (!panel || !panel.dataset.readabilityUrl) return;
        var form = panel.closest('form');
        if (!form) return;
        var timer = null;
        var latest = 0;

        function refresh() {
            var request = ++latest;
            fetch(panel.dataset.readabilityUrl, {
                method: 'POST',
                body: new FormData(form),
                credentials: 'same-origin',
                headers: { 'X-Requested-With': 'XMLHttpRequest' },
            })
                .then(function (response) { return response.ok ? response.text() : null; })
                .then(function (html) {
                    // An older answer arriving after a newer one is dropped.
                    if (html !== null && request === latest) panel.innerHTML = html;
                })
                .catch(function () { /* the last summary stays */ });
        }

        function schedule(event) {
            if (panel.contains(event.target)) return;
            window.clearTimeout(timer);
            timer = window.setTimeout(refresh, DELAY_MS);
        }

        ['input', 'change', 'keyup'].forEach(function (type) {
            form.addEventListener(type, schedule);
        });
    }

    // The admin loads panel scripts in the head, before the form exists.
    if (document.readyState === 'loading') {
        document.addEventListener('DOMContentLoaded', start);
    } else {
        start();
    }
})();
