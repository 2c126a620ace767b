/* Move focus to the error summary after a failed submission, so keyboard and
   screen reader users hear what to fix first; its links lead to each field. */
(function () {
    var summary = document.getElementById("error-summary");
    if (summary) {
        summary.focus();
    }
})();
