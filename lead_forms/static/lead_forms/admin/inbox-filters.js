// On a narrow screen the inbox's filters stack above the list, two screens of them: they start
// folded there, so a coordinator sees the requests first (the notice above the list names any
// filter that is on). A filter just chosen by keyboard stays in sight. Without this script, or
// on a wider screen, they stay open.
(function () {
  function fold() {
    var filters = document.querySelector("[data-lead-forms-filters]");
    if (!filters || window.matchMedia("(min-width: 50em)").matches) return;
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    if (target && filters.contains(target)) return;
    filters.open = false;
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fold);
  } else {
    fold();
  }
})();
