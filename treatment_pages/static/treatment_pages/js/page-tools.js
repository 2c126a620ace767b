// Page tools: print, copy link and text size (remembered across pages in localStorage).
// Loaded by the article template itself, so it also does text-size.js's work for hosts whose
// base template does not load that in <head> (the reference site does, to avoid a flicker).
(function () {
    var STORAGE_KEY = "clinic:text-size";
    var SIZES = ["small", "medium", "large"];
    var root = document.documentElement;

    // The tools' buttons show once this script runs (treatment-pages.css hides them until then).
    root.classList.remove("no-js");
    root.classList.add("js");
    (function applyStoredSize() {
        var stored = null;
        try { stored = window.localStorage.getItem(STORAGE_KEY); } catch (e) { /* storage blocked */ }
        if (SIZES.indexOf(stored) !== -1 && !root.classList.contains("text-size-" + stored)) {
            SIZES.forEach(function (s) { root.classList.remove("text-size-" + s); });
            root.classList.add("text-size-" + stored);
        }
    })();

    function announce(tools, message) {
        var status = tools.querySelector(".page-tools__status");
        if (status) { status.textContent = message; }
    }

    function currentSize() {
        for (var i = 0; i < SIZES.length; i++) {
            if (root.classList.contains("text-size-" + SIZES[i])) { return SIZES[i]; }
        }
        return "medium";
    }

    function applySize(size) {
        SIZES.forEach(function (s) { root.classList.remove("text-size-" + s); });
        root.classList.add("text-size-" + size);
        try { window.localStorage.setItem(STORAGE_KEY, size); } catch (e) { /* storage blocked */ }
        document.querySelectorAll("[data-text-size]").forEach(function (button) {
            button.setAttribute("aria-pressed", String(button.getAttribute("data-text-size") === size));
        });
    }

    document.querySelectorAll(".page-tools").forEach(function (tools) {
        var size = currentSize();
        tools.querySelectorAll("[data-text-size]").forEach(function (button) {
            button.setAttribute("aria-pressed", String(button.getAttribute("data-text-size") === size));
            button.addEventListener("click", function () {
                applySize(button.getAttribute("data-text-size"));
                announce(tools, "Text size: " + button.getAttribute("data-text-size"));
            });
        });
        var printButton = tools.querySelector('[data-action="print"]');
        if (printButton) { printButton.addEventListener("click", function () { window.print(); }); }
        var copyButton = tools.querySelector('[data-action="copy-link"]');
        if (copyButton) {
            copyButton.addEventListener("click", function () {
                var url = copyButton.getAttribute("data-url") || window.location.href;
                if (navigator.clipboard && navigator.clipboard.writeText) {
                    navigator.clipboard.writeText(url).then(
                        function () { announce(tools, "Link copied to the clipboard"); copyButton.textContent = "Link copied"; },
                        function () { announce(tools, "Could not copy the link: " + url); }
                    );
                } else {
                    window.prompt("Copy this link:", url);
                }
            });
        }
    });
})();

// Printing: the page history prints open in browsers without ::details-content (CSS above).
(function () {
    var reopen = [];
    window.addEventListener("beforeprint", function () {
        document.querySelectorAll("details.page-history:not([open])").forEach(function (details) {
            details.open = true;
            reopen.push(details);
        });
    });
    window.addEventListener("afterprint", function () {
        reopen.forEach(function (details) { details.open = false; });
        reopen = [];
    });
})();
