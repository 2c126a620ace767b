/*
 * Page editor: heads each step of a "Numbered prevention steps" block with its number
 * and lead text ("Step 2 · Quit smoking"), kept up to date while the editor types, adds,
 * moves or deletes steps. Wagtail heads list items with the block label only ("Step").
 * The steps list is the ListBlock with form_classname "treatment-steps" (treatment_pages.blocks).
 */
(function () {
    "use strict";

    var LIST = ".treatment-steps";
    // Translated by the page that loads this script (treatment_pages.wagtail_hooks).
    var STEP_WORD = (document.currentScript && document.currentScript.dataset.stepWord) || "Step";

    function setText(element, text) {
        // Only real changes: the observer below would otherwise see its own writes forever.
        if (element && element.textContent !== text) {
            element.textContent = text;
        }
    }

    function steps(list) {
        var container = list.querySelector("[data-streamfield-list-container]");
        if (!container) {
            return [];
        }
        return Array.prototype.filter.call(container.children, function (child) {
            if (!child.hasAttribute("data-streamfield-child")) {
                return false;
            }
            var deleted = child.querySelector('input[name$="-deleted"]');
            return !(deleted && deleted.value);
        });
    }

    function number(list) {
        steps(list).forEach(function (step, index) {
            var type = step.querySelector(".c-sf-block__type");
            var title = step.querySelector("[data-panel-heading-text]");
            var lead = step.querySelector('input[name$="-value-text"]');
            setText(type, STEP_WORD + " " + (index + 1));
            setText(title, lead && lead.value.trim() ? "· " + lead.value.trim() : "");
        });
    }

    function watch(list) {
        if (list.dataset.stepsNumbered) {
            return;
        }
        list.dataset.stepsNumbered = "true";
        number(list);
        list.addEventListener("input", function () {
            number(list);
        });
        list.addEventListener("click", function () {
            // After Wagtail has moved, added or deleted a step.
            window.setTimeout(function () {
                number(list);
            }, 0);
        });
        new MutationObserver(function () {
            number(list);
        }).observe(list, { childList: true, subtree: true });
    }

    function scan() {
        document.querySelectorAll(LIST).forEach(watch);
    }

    document.addEventListener("DOMContentLoaded", function () {
        scan();
        // Steps blocks added to the body later are found as they appear.
        new MutationObserver(scan).observe(document.body, { childList: true, subtree: true });
    });
})();
