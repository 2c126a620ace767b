// Publishing an article that reads harder than the clinic's target asks for confirmation.
// It never blocks: confirming publishes as usual. (The score follows the text as typed.)
(function () {
    'use strict';
    document.addEventListener('click', function (event) {
        var button = event.target.closest('button[name="action-publish"]');
        if (!button) return;
        var summary = document.querySelector('[data-readability-summary]');
        if (!summary || summary.dataset.readabilityHarder !== 'true') return;
        if (!window.confirm(summary.dataset.readabilityConfirm)) {
            event.preventDefault();
            event.stopImmediatePropagation();
        }
    }, true);
})();
