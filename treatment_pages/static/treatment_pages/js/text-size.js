// Runs in <head> before the page paints so the remembered text size never flickers.
(function () {
    var root = document.documentElement;
    root.classList.remove("no-js");
    root.classList.add("js");
    var size = null;
    try { size = window.localStorage.getItem("clinic:text-size"); } catch (e) { /* storage blocked */ }
    if (size === "small" || size === "medium" || size === "large") {
        root.classList.add("text-size-" + size);
    }
})();
