// Choosing an inbox filter reloads the page at that filter (#filter-status): focus goes to the
// choice now in force, so a keyboard user carries on from the filter they used rather than
// from the top of the page (36 Tabs before the first request).
(function () {
  function focusChosenFilter() {
    if (window.location.hash.indexOf('#filter-') !== 0) {
      return;
    }
    var filter = document.getElementById(window.location.hash.slice(1));
    if (!filter) {
      return;
    }
    var chosen = filter.querySelector('[aria-current="true"]') || filter;
    chosen.focus();
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', focusChosenFilter);
  } else {
    focusChosenFilter();
  }
})();
