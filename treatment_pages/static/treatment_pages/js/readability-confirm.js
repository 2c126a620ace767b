// Publishing an article that reads above the clinic's target grade asks for confirmation.
// It never blocks: confirming publishes as usual. (The grade is that of the last saved draft.)
(function () {
    'use strict';
    document.addEventListener('click', function (event) {
        var button = event.target.closest('button[name="action-publish"]');
        if (!button) return;
        var panel = document.querySelector('[data-readability-panel]');
        if (!panel || panel.dataset.readabilityAbove !== 'true') return;
        if (!window.confirm(panel.dataset.readabilityConfirm)) {
            event.preventDefault();
            event.stopImmediatePropagation();
        }
    }, true);
})();
