// After "Save status", "Mark as spam" or "Add note" the page reloads with Wagtail's message
// ("AR-…: status changed from New to Contacted."). Content already present at load is not
// announced by a live region, so focus moves to the message: screen readers read it, and
// keyboard users continue from there rather than from the top of the page.
(function () {
  function focusMessage() {
    var message = document.querySelector('.messages li');
    if (!message) {
      return;
    }
    message.setAttribute('tabindex', '-1');
    message.focus({ preventScroll: false });
  }
  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', focusMessage);
  } else {
    focusMessage();
  }
})();
