// Forms that lose nothing (docs/drafts.md).
//
// 1. The session's idle timeout: the page knows when it ends (data-session-* on <body>), warns
//    SESSION_WARNING_SECONDS before with a "Stay signed in" button, and says plainly when it has
//    ended, with a way back to this page after signing in.
// 2. Drafts: a <form data-draft-key> sends what is typed to the server a few seconds after
//    typing stops; on opening the form again (after signing in again, or after the database was
//    away) the typing comes back.
//
// Saving a draft does not count as activity (the idle timeout stays meaningful): only opening
// or sending a page, or pressing "Stay signed in", renews the session.
(function () {
  "use strict";

  var body = document.body;
  var SAVE_AFTER_MS = 2500;   // after typing stops
  var SAVE_AT_LEAST_MS = 20000; // while typing goes on

  function csrfToken() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function request(method, url, payload) {
    var options = {
      method: method,
      credentials: "same-origin",
      headers: { "Accept": "application/json", "X-Requested-With": "fetch" },
      redirect: "error"
    };
    if (payload !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.headers["X-CSRFToken"] = csrfToken();
      options.body = JSON.stringify(payload);
    }
    return fetch(url, options).then(function (response) {
      if (response.status === 401) { signedOut(); throw new Error("signed-out"); }
      if (!response.ok) { throw new Error("status " + response.status); }
      return response.json();
    });
  }

  function hhmm(date) {
    return ("0" + date.getHours()).slice(-2) + ":" + ("0" + date.getMinutes()).slice(-2);
  }

  function element(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text) { node.textContent = text; }
    return node;
  }

  // --- The session's idle timeout -----------------------------------------------------------

  var session = null;
  if (body.dataset.sessionSeconds !== undefined) {
    session = {
      warning: parseInt(body.dataset.sessionWarning, 10) || 120,
      statusUrl: body.dataset.sessionStatusUrl,
      keepAliveUrl: body.dataset.sessionKeepAliveUrl,
      signInUrl: body.dataset.signInUrl,
      endsAt: 0,
      timer: null,
      ended: false,
      box: null
    };
  }

  function sessionBox() {
    if (session.box) { return session.box; }
    var box = element("div", "alert alert-warning shadow session-warning no-print");
    box.setAttribute("role", "alert"); // not a dialog: focus stays where the person types
    box.setAttribute("aria-live", "assertive");
    box.dataset.testid = "session-warning";
    box.hidden = true;
    box.appendChild(element("p", "mb-2 session-warning-text"));
    var actions = element("div", "d-flex gap-2");
    var stay = element("button", "btn btn-primary btn-sm", "Stay signed in");
    stay.type = "button";
    stay.addEventListener("click", keepAlive);
    var signIn = element("a", "btn btn-outline-primary btn-sm", "Sign in again");
    signIn.hidden = true;
    actions.appendChild(stay);
    actions.appendChild(signIn);
    box.appendChild(actions);
    box.stay = stay;
    box.signIn = signIn;
    document.body.appendChild(box);
    session.box = box;
    return box;
  }

  function schedule(secondsLeft) {
    session.endsAt = Date.now() + secondsLeft * 1000;
    clearTimeout(session.timer);
    var untilWarning = Math.max(0, secondsLeft - session.warning) * 1000;
    session.timer = setTimeout(check, untilWarning);
  }

  function check() {
    // Another tab may have kept the session going: ask (this does not renew it).
    request("GET", session.statusUrl).then(function (state) {
      if (state.seconds_left > session.warning) {
        if (session.box) { session.box.hidden = true; }
        schedule(state.seconds_left);
      } else {
        session.endsAt = Date.now() + state.seconds_left * 1000;
        warn();
      }
    }).catch(function () {
      if (!session.ended && Date.now() < session.endsAt) { warn(); }
    });
  }

  function warn() {
    if (session.ended) { return; }
    var box = sessionBox();
    var left = Math.round((session.endsAt - Date.now()) / 1000);
    if (left <= 0) {
      // The end is past by the page's count: make sure (a status check says signed out).
      request("GET", session.statusUrl).then(function (state) {
        if (state.seconds_left > 0) { schedule(state.seconds_left); warn(); } else { signedOut(); }
      }).catch(function () { /* 401 calls signedOut */ });
      return;
    }
    var minutes = Math.floor(left / 60);
    var seconds = left % 60;
    box.querySelector(".session-warning-text").textContent =
      "For security you will be signed out in " + (minutes ? minutes + " min" : "") +
      (seconds || !minutes ? (minutes ? " " : "") + seconds + " s" : "") + ": no page has been opened or sent for a while (typing alone does not " +
      "count). What you type is kept as you go.";
    box.hidden = false;
    clearTimeout(session.timer);
    session.timer = setTimeout(warn, 1000);
  }

  function keepAlive() {
    request("POST", session.keepAliveUrl, {}).then(function (state) {
      sessionBox().hidden = true;
      schedule(state.seconds_left);
    }).catch(function () { /* 401 calls signedOut; otherwise the warning stays */ });
  }

  function signInAgainUrl() {
    var here = window.location.pathname + window.location.search;
    return session.signInUrl + "?next=" + encodeURIComponent(here);
  }

  function signedOut() {
    drafts.forEach(function (draft) {
      draft.stop();
      draft.status.textContent = "Signed out: what you type now is not kept until you sign in again.";
    });
    if (!session || session.ended) { return; }
    session.ended = true;
    clearTimeout(session.timer);
    var box = sessionBox();
    var kept = drafts.filter(function (draft) { return draft.savedAt; });
    box.querySelector(".session-warning-text").textContent =
      "You were signed out for security: no page was opened or sent for a while. " +
      (kept.length ? "What you typed up to " + hhmm(kept[0].savedAt) + " is kept; " +
        "typing from now on is not. " : "") + "Sign in again to continue on this page.";
    box.stay.hidden = true;
    box.signIn.hidden = false;
    box.signIn.href = signInAgainUrl();
    box.hidden = false;
  }

  // --- Drafts -------------------------------------------------------------------------------

  function skipped(field) {
    var type = (field.type || "").toLowerCase();
    return !field.name || field.disabled || field.name === "csrfmiddlewaretoken" ||
      ["file", "password", "submit", "button", "reset", "hidden", "image"].indexOf(type) >= 0 ||
      field.tagName === "FIELDSET" || field.tagName === "OUTPUT" || field.tagName === "BUTTON";
  }

  function readFields(form) {
    var fields = {};
    Array.prototype.forEach.call(form.elements, function (field) {
      if (skipped(field)) { return; }
      var type = (field.type || "").toLowerCase();
      if (type === "checkbox") {
        if (!Array.isArray(fields[field.name])) { fields[field.name] = []; }
        if (field.checked) { fields[field.name].push(field.value); }
      } else if (type === "radio") {
        if (!(field.name in fields)) { fields[field.name] = ""; }
        if (field.checked) { fields[field.name] = field.value; }
      } else if (type === "select-multiple") {
        fields[field.name] = Array.prototype.filter.call(field.options, function (o) {
          return o.selected;
        }).map(function (o) { return o.value; });
      } else {
        fields[field.name] = field.value;
      }
    });
    return fields;
  }

  function addMissingRows(form, fields) {
    // A formset row added while typing is added again before restoring: formsets.js adds the
    // rows the draft names on this event (synchronously); a page's own "Add" button
    // (data-draft-add-row) is pressed for any still missing.
    form.dispatchEvent(new CustomEvent("draft:restore", { bubbles: true, detail: { fields: fields } }));
    var button = form.dataset.draftAddRow ? document.getElementById(form.dataset.draftAddRow) : null;
    if (!button) { return; }
    var names = Object.keys(fields);
    for (var guard = 0; guard < 50; guard += 1) {
      var missing = names.some(function (name) { return !form.elements.namedItem(name); });
      if (!missing) { return; }
      var before = form.elements.length;
      button.click();
      if (form.elements.length === before) { return; }
    }
  }

  function writeFields(form, fields) {
    addMissingRows(form, fields);
    Array.prototype.forEach.call(form.elements, function (field) {
      if (skipped(field) || !(field.name in fields)) { return; }
      var value = fields[field.name];
      var type = (field.type || "").toLowerCase();
      var before = type === "checkbox" || type === "radio" ? field.checked : field.value;
      if (type === "checkbox") {
        field.checked = Array.isArray(value) && value.indexOf(field.value) >= 0;
      } else if (type === "radio") {
        field.checked = value === field.value;
      } else if (type === "select-multiple") {
        Array.prototype.forEach.call(field.options, function (o) {
          o.selected = Array.isArray(value) && value.indexOf(o.value) >= 0;
        });
      } else if (typeof value === "string") {
        field.value = value;
      }
      var after = type === "checkbox" || type === "radio" ? field.checked : field.value;
      if (before !== after) {
        // Scores and totals that other scripts show follow the restored answers.
        field.dispatchEvent(new Event("change", { bubbles: true }));
      }
    });
  }

  function Draft(form) {
    this.form = form;
    this.key = form.dataset.draftKey;
    this.url = form.dataset.draftUrl;
    this.discardUrl = form.dataset.draftDiscardUrl;
    this.base = form.dataset.draftBase ? new Date(form.dataset.draftBase) : null;
    this.savedAt = null;
    this.timer = null;
    this.firstChange = 0;
    this.sent = null;
    this.stopped = false;
    this.restoring = false;
    this.status = element("span", "small text-secondary draft-status");
    this.status.dataset.testid = "draft-status";
    this.status.setAttribute("aria-live", "polite");
    var actions = form.querySelector(".interview-actions, .form-actions, [data-draft-status]");
    (actions || form).appendChild(this.status);
    var self = this;
    form.addEventListener("input", function () { self.changed(); });
    form.addEventListener("change", function () { self.changed(); });
    form.addEventListener("submit", function () { self.stop(); });
    this.load();
  }

  Draft.prototype.changed = function () {
    if (this.stopped || this.restoring) { return; }
    var self = this;
    var now = Date.now();
    if (!this.timer) { this.firstChange = now; }
    clearTimeout(this.timer);
    var wait = Math.min(SAVE_AFTER_MS, Math.max(0, this.firstChange + SAVE_AT_LEAST_MS - now));
    this.timer = setTimeout(function () { self.save(); }, wait);
  };

  Draft.prototype.save = function () {
    this.timer = null;
    if (this.stopped) { return; }
    var fields = readFields(this.form);
    var text = JSON.stringify(fields);
    if (text === this.sent) { return; }
    var self = this;
    request("POST", this.url, { key: this.key, fields: fields }).then(function (saved) {
      self.sent = text;
      self.savedAt = new Date(saved.saved_at);
      self.status.textContent = "Typing kept at " + saved.saved_at_label + " (not yet saved to the record)";
    }).catch(function (error) {
      if (error.message === "signed-out") { return; }
      self.status.textContent = "Could not keep a copy of your typing just now: keep this page open.";
      self.changed();
    });
  };

  Draft.prototype.stop = function () {
    this.stopped = true;
    clearTimeout(this.timer);
  };

  Draft.prototype.load = function () {
    var self = this;
    if (this.form.dataset.draftPosted) {
      // The page shows what was just sent (a refusal to correct): newer than any draft.
      this.save();
      return;
    }
    request("GET", this.url + "?key=" + encodeURIComponent(this.key)).then(function (answer) {
      if (!answer.draft) { return; }
      var savedAt = new Date(answer.draft.saved_at);
      if (JSON.stringify(readFields(self.form)) === JSON.stringify(answer.draft.fields)) {
        return;  // nothing differs from what the page shows
      }
      if (!self.base || savedAt > self.base) {
        self.restore(answer.draft.fields);
        self.notice(
          "Brought back what you typed up to " + answer.draft.saved_at_label +
          ", which was not saved. Check it, then save.", false);
      } else {
        self.notice(
          "You typed into this form up to " + answer.draft.saved_at_label +
          " without saving, but the record was saved after that.", answer.draft.fields);
      }
    }).catch(function () { /* no draft shown; the form works as before */ });
  };

  Draft.prototype.restore = function (fields) {
    this.restoring = true;
    writeFields(this.form, fields);
    this.restoring = false;
    this.sent = JSON.stringify(readFields(this.form));
  };

  Draft.prototype.notice = function (text, offer) {
    var self = this;
    var box = element("div", "alert alert-info d-flex flex-wrap align-items-center gap-2");
    box.setAttribute("role", "status");
    box.dataset.testid = "draft-notice";
    box.appendChild(element("span", "me-auto", text));
    if (offer) {
      var restore = element("button", "btn btn-sm btn-primary", "Bring back what I typed");
      restore.type = "button";
      restore.addEventListener("click", function () {
        self.restore(offer);
        box.remove();
      });
      box.appendChild(restore);
    }
    var discard = element("button", "btn btn-sm btn-outline-secondary",
      offer ? "Discard it" : "Discard it and show the saved version");
    discard.type = "button";
    discard.addEventListener("click", function () {
      self.stop();
      request("POST", self.discardUrl, { key: self.key }).then(function () {
        window.location.reload();
      }).catch(function () { /* the draft stays; nothing is lost */ });
    });
    box.appendChild(discard);
    this.form.insertBefore(box, this.form.firstChild);
  };

  var drafts = [];
  Array.prototype.forEach.call(document.querySelectorAll("form[data-draft-key]"), function (form) {
    drafts.push(new Draft(form));
  });
  if (session) { schedule(parseInt(body.dataset.sessionSeconds, 10)); }
})();
