// Warns staff who may read patient data a minute before they are signed out for inactivity.
// Asks the server how long is left (lead_forms.inbox.idle): nothing about patients is fetched.
// A person typing, clicking or scrolling here is active even when the page sends nothing (a long
// note): that is reported as "stay signed in" when the warning would be due, so the warning
// shows only after real inactivity. Timers alone never report activity.
//
// The warning is a non-modal dialog named by its heading: focus moves to it once, so screen
// readers read its name and description once; the countdown on screen is not a live region,
// and a polite status line speaks only at a few milestones. The page stays usable: any key,
// click or typing anywhere is activity, closes the warning and puts focus back where it was,
// so a note being typed keeps every key.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var data = script.dataset;
  var url = data.url;
  var warnBefore = parseInt(data.warnSeconds || "60", 10);
  var milestones = JSON.parse(data.milestones || "{}");
  var dialog = null;
  var countdown = null;
  var timer = null;
  var returnFocusTo = null;
  // Set once the server said this user is subject to idle sign-out; before that (the login
  // page, a signed-out visitor) a failed check means nothing and must not reload the page.
  var armed = false;
  // A key, click, touch, wheel or input since the server last counted this person's activity.
  var activeSinceSync = false;

  function csrf() {
    var config = document.getElementById("wagtail-config");
    try {
      return JSON.parse(config.textContent).CSRF_TOKEN;
    } catch (e) {
      return "";
    }
  }

  function ask(method) {
    var options = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
    if (method === "POST") {
      options.headers["X-CSRFToken"] = csrf();
      activeSinceSync = false;
    }
    return fetch(url, options).then(function (response) {
      if (!response.ok || response.redirected) throw new Error("signed out");
      return response.json();
    });
  }

  function isOpen() {
    return dialog !== null && !dialog.hidden;
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    node.className = className;
    if (text) node.textContent = text;
    return node;
  }

  function build() {
    dialog = element("div", "lead-forms-idle-warning");
    dialog.id = "lead-forms-idle-warning";
    dialog.setAttribute("role", "dialog");
    dialog.setAttribute("aria-modal", "false");
    dialog.setAttribute("aria-labelledby", "lead-forms-idle-title");
    dialog.setAttribute("aria-describedby", "lead-forms-idle-text");
    dialog.setAttribute("data-lead-forms-idle-warning", "");
    dialog.tabIndex = -1;
    dialog.hidden = true;
    dialog.style.cssText =
      "position:fixed;z-index:1000;bottom:1rem;right:1rem;left:auto;max-width:min(26rem,calc(100vw - 2rem));" +
      "padding:1rem;background:#fff;color:#000;border:3px solid #cd4444;border-radius:.5rem;" +
      "box-shadow:0 2px 8px #0004";
    var title = element("h2", "lead-forms-idle-title", data.title);
    title.id = "lead-forms-idle-title";
    title.style.cssText = "margin:0 0 .5rem;font-size:1.25rem";
    var text = element("p", "lead-forms-idle-text", data.warning);
    text.id = "lead-forms-idle-text";
    // Seen, not announced: it changes every second.
    var clock = element("p", "lead-forms-idle-countdown");
    clock.style.cssText = "font-weight:700";
    // Spoken politely at the milestones only.
    var status = element("p", "lead-forms-idle-status");
    status.setAttribute("role", "status");
    var button = element("button", "button", data.stayLabel);
    button.type = "button";
    button.addEventListener("click", staySignedIn);
    [title, text, clock, status, button].forEach(function (node) { dialog.appendChild(node); });
    document.body.appendChild(dialog);
  }

  function render(left) {
    var seconds = Math.max(0, left);
    var time = Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0");
    dialog.querySelector(".lead-forms-idle-countdown").textContent = data.timeLeft.replace("%(time)s", time);
    if (Object.prototype.hasOwnProperty.call(milestones, String(seconds))) {
      dialog.querySelector(".lead-forms-idle-status").textContent = milestones[String(seconds)];
    }
  }

  function hide() {
    if (countdown) window.clearInterval(countdown);
    if (!isOpen()) return;
    var hadFocus = dialog.contains(document.activeElement);
    dialog.hidden = true;
    dialog.querySelector(".lead-forms-idle-status").textContent = "";
    // Back where the person was (a note's text box): the key they pressed lands there.
    if (hadFocus && returnFocusTo && document.contains(returnFocusTo)) returnFocusTo.focus();
    returnFocusTo = null;
  }

  function show(seconds) {
    if (!dialog) build();
    var left = seconds;
    render(left);
    if (countdown) window.clearInterval(countdown);
    countdown = window.setInterval(function () {
      left -= 1;
      render(left);
      if (left <= 0) {
        window.clearInterval(countdown);
        check();
      }
    }, 1000);
    if (!isOpen()) {
      returnFocusTo = document.activeElement;
      dialog.hidden = false;
      dialog.focus();
    }
  }

  function reload() {
    if (armed) window.location.reload();
  }

  function staySignedIn() {
    hide();
    ask("POST").then(schedule, reload);
  }

  function noticeActivity(event) {
    if (!armed) return;
    // The dialog's button answers for itself (a click, or Enter or Space on it).
    if (dialog && event.target === dialog.querySelector("button")) return;
    // While the warning shows, any key, click or typing is the person answering it.
    if (isOpen()) return staySignedIn();
    activeSinceSync = true;
  }

  ["keydown", "pointerdown", "touchstart", "wheel", "input"].forEach(function (type) {
    document.addEventListener(type, noticeActivity, { capture: true, passive: true });
  });

  function schedule(state) {
    if (!state.idle_logout) return;
    armed = true;
    // Visible state: from here on this page counts the person's keys and clicks.
    script.setAttribute("data-armed", "");
    if (timer) window.clearTimeout(timer);
    var left = state.seconds_left;
    if (left <= 0) return window.setTimeout(reload, 1500);
    if (left <= warnBefore) return activeSinceSync ? staySignedIn() : show(left);
    hide();
    // Another tab may have been active meanwhile: ask again when the warning is due.
    timer = window.setTimeout(check, (left - warnBefore) * 1000);
  }

  function check() {
    ask("GET").then(schedule, reload);
  }

  check();
})();
