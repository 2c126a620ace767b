// Warns staff who may read patient data a minute before they are signed out for inactivity.
// Asks the server how long is left (lead_forms.inbox.idle): nothing about patients is fetched.
// A person typing, clicking or scrolling here is active even when the page sends nothing (a long
// note): that is reported as "stay signed in" when the warning would be due, so the warning
// shows only after real inactivity. Timers alone never report activity.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script) return;
  var url = script.dataset.url;
  var warnBefore = parseInt(script.dataset.warnSeconds || "60", 10);
  var banner = null;
  var countdown = null;
  var timer = null;
  // Set once the server said this user is subject to idle sign-out; before that (the login
  // page, a signed-out visitor) a failed check means nothing and must not reload the page.
  var armed = false;
  // A key, click, touch or wheel since the server last counted this person's activity.
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

  function hide() {
    if (banner) banner.hidden = true;
    if (countdown) window.clearInterval(countdown);
  }

  function show(seconds) {
    if (!banner) {
      banner = document.createElement("div");
      banner.className = "lead-forms-idle-warning";
      banner.setAttribute("role", "alertdialog");
      banner.setAttribute("aria-live", "assertive");
      banner.setAttribute("data-lead-forms-idle-warning", "");
      banner.style.cssText =
        "position:fixed;z-index:1000;bottom:1rem;right:1rem;max-width:26rem;padding:1rem;" +
        "background:#fff;color:#000;border:3px solid #cd4444;border-radius:.5rem;box-shadow:0 2px 8px #0004";
      var text = document.createElement("p");
      text.className = "lead-forms-idle-text";
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button";
      button.textContent = script.dataset.stayLabel;
      button.addEventListener("click", staySignedIn);
      banner.appendChild(text);
      banner.appendChild(button);
      document.body.appendChild(banner);
    }
    banner.hidden = false;
    var left = seconds;
    var render = function () {
      banner.querySelector(".lead-forms-idle-text").textContent =
        script.dataset.warning.replace("%(seconds)s", String(Math.max(0, left)));
    };
    render();
    if (countdown) window.clearInterval(countdown);
    countdown = window.setInterval(function () {
      left -= 1;
      render();
      if (left <= 0) {
        window.clearInterval(countdown);
        check();
      }
    }, 1000);
    focusButton();
  }

  function focusButton() {
    var button = banner && banner.querySelector("button");
    if (button) button.focus();
  }

  function reload() {
    if (armed) window.location.reload();
  }

  function staySignedIn() {
    ask("POST").then(function (state) { hide(); schedule(state); }, reload);
  }

  function noticeActivity(event) {
    // The warning's own button answers for itself.
    if (!armed || (banner && banner.contains(event.target))) return;
    // While the warning shows, any key or click is the person answering it.
    if (banner && !banner.hidden) return staySignedIn();
    activeSinceSync = true;
  }

  ["keydown", "pointerdown", "touchstart", "wheel"].forEach(function (type) {
    document.addEventListener(type, noticeActivity, { capture: true, passive: true });
  });

  function schedule(state) {
    if (!state.idle_logout) return;
    armed = true;
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
