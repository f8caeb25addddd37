// Small enhancements for every page (the pages work without them).
(function () {
  // Tables wider than the screen scroll sideways inside their region; say so in words,
  // so no column is hidden without the reader knowing (the hint goes when the table fits).
  var text = document.body.getAttribute("data-scroll-hint");
  var wraps = document.querySelectorAll(".table-wrap");
  function update() {
    wraps.forEach(function (wrap) {
      var hint = wrap.previousElementSibling;
      if (!hint || !hint.classList.contains("scroll-hint")) {
        hint = document.createElement("p");
        hint.className = "scroll-hint";
        hint.textContent = text;
        wrap.parentNode.insertBefore(hint, wrap);
      }
      hint.hidden = wrap.scrollWidth <= wrap.clientWidth + 1;
    });
  }
  if (text && wraps.length) {
    update();
    window.addEventListener("resize", update);
  }
  // An address whose fragment names a box that takes focus (tabindex="-1": the box of
  // what is missing after a refused send, #missing) moves focus there, so a screen
  // reader reads it and Tab goes on to its links, as tree.js does for "Visa fler".
  // The same for a link to such a place on the page itself ("Gå till din del").
  function land() {
    if (location.hash.length > 1) {
      var landing = document.getElementById(decodeURIComponent(location.hash.slice(1)));
      if (landing && landing.getAttribute("tabindex") === "-1" && landing !== document.activeElement) {
        landing.focus();
      }
    }
  }
  land();
  window.addEventListener("hashchange", land);
  // A form sent back with errors: focus its error summary (the first on the page), so a
  // screen reader reads it and Tab goes on to the links to each field.
  var summary = document.querySelector(".error-summary[tabindex='-1']");
  if (summary && !location.hash) {
    summary.focus();
  }
  // A printout shows every level of a collapsed tree; the screen gets its state back.
  var closed = [];
  window.addEventListener("beforeprint", function () {
    closed = Array.prototype.filter.call(document.querySelectorAll("main details"), function (d) {
      return !d.open;
    });
    closed.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    closed.forEach(function (d) { d.open = false; });
    closed = [];
  });
  // A form with data-unsaved (the follow-up) warns before what would lose what was typed
  // since it was saved: leaving the page (a link, another form such as attaching a file)
  // and its own buttons that post elsewhere (formaction: a file's "Ta bort"). Its own
  // Save and Send keep the text and do not ask.
  // Another form on the page (attaching a file) asks in the same words.
  var guarded = document.querySelector("form[data-unsaved]");
  if (guarded) {
    var dirty = false;
    var submitting = false;
    var changed = function () { dirty = true; };
    guarded.addEventListener("input", changed);
    guarded.addEventListener("change", changed);
    document.addEventListener("submit", function (event) {
      var by = event.submitter;
      var elsewhere = event.target !== guarded || (by && by.hasAttribute("formaction"));
      if (dirty && elsewhere && !window.confirm(guarded.getAttribute("data-unsaved"))) {
        event.preventDefault();
        return;
      }
      submitting = true;
    });
    window.addEventListener("beforeunload", function (event) {
      if (dirty && !submitting) {
        event.preventDefault();
        event.returnValue = "";
      }
    });
  }
  // A button with data-confirm asks before its form is sent (send, approve, open a
  // period): a step that cannot simply be undone is never one mistaken click away.
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-confirm]") : null;
    if (!button) return;
    var form = button.form;
    if (form && !form.noValidate && !button.formNoValidate && !form.checkValidity()) {
      // A required field is empty (the reason for returning): the browser says so first,
      // and the question comes once there is something to confirm.
      return;
    }
    var question = [button.getAttribute("data-confirm-lead"), emptyIndicators(button),
      button.getAttribute("data-confirm")].filter(Boolean).join(" ");
    if (!window.confirm(question)) {
      event.preventDefault();
    }
  });
  // The send question says how many indicators have no value for the period: the
  // server's count for the whole follow-up, moved by what was filled in or cleared on
  // this page since it loaded (its indicator fields are named m-<indicator>-<gender>).
  function indicatorGroups(form) {
    var groups = {};
    if (!form) return groups;
    Array.prototype.forEach.call(form.elements, function (field) {
      var match = /^m-(\d+)-/.exec(field.name || "");
      if (!match) return;
      // A value with no digit ("abc") is no value: the server refuses it.
      var filled = /\d/.test(field.value);
      groups[match[1]] = Boolean(groups[match[1]]) || filled;
    });
    return groups;
  }
  var loaded = new Map();
  document.querySelectorAll("[data-indicators-empty]").forEach(function (button) {
    loaded.set(button, indicatorGroups(button.form));
  });
  function emptyIndicators(button) {
    if (!button.hasAttribute("data-indicators-empty")) return "";
    var count = parseInt(button.getAttribute("data-indicators-empty"), 10) || 0;
    var before = loaded.get(button) || {};
    var now = indicatorGroups(button.form);
    Object.keys(now).forEach(function (pk) {
      if (!before[pk] && now[pk]) count -= 1;
      if (before[pk] && !now[pk]) count += 1;
    });
    if (count <= 0) return "";
    var words = button.getAttribute(count === 1 ? "data-indicators-one" : "data-indicators-other");
    return (words || "").replace("%(count)s", String(count));
  }
})();
