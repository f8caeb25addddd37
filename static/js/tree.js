// Progressive enhancement of /mal/: a level opens in place. Each "6 nämndmål" link
// (which without JavaScript reloads the page with that goal open) becomes a button
// with aria-expanded that fetches the goals below from the server the first time.
(function () {
  var tree = document.querySelector(".goal-tree");
  if (!tree) return;
  var loading = tree.getAttribute("data-loading-label");
  var failed = tree.getAttribute("data-error-label");
  // A polite live region says when a level loads and what it shows.
  var live = document.getElementById("tree-live");

  function announce(text) {
    if (live) live.textContent = text;
  }

  function shown(button) {
    var template = (live && live.getAttribute("data-shown-label")) || "{label}";
    return template.replace("{label}", button.getAttribute("data-label"));
  }

  function list(box) {
    for (var i = 0; i < box.children.length; i++) {
      if (box.children[i].tagName === "UL") return box.children[i];
    }
    return null;
  }

  function enhance(root) {
    root.querySelectorAll("a.goal-toggle").forEach(function (link) {
      var box = link.parentElement;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "goal-toggle";
      button.id = link.id;
      // The visible "6 nämndmål" and, hidden, "under <goal>": the accessible name.
      button.innerHTML = link.innerHTML;
      button.setAttribute("data-label", link.getAttribute("data-label") || "");
      button.setAttribute("aria-expanded", link.getAttribute("aria-expanded"));
      var children = list(box);
      if (children) {
        children.id = "under-" + link.id;
        button.setAttribute("aria-controls", children.id);
      }
      link.replaceWith(button);
    });
  }

  // On /mal/ the address follows the last level opened (?oppna=<pk>, other parameters
  // kept): Back from a goal's page, or a reload, shows the same path open.
  function remember(button) {
    if (!tree.hasAttribute("data-remember") || !window.history.replaceState) return;
    var params = new URLSearchParams(location.search);
    params.set("oppna", button.id.replace("toggle-", ""));
    history.replaceState(history.state, "", location.pathname + "?" + params.toString());
  }

  function load(button, box) {
    var status = document.createElement("p");
    status.className = "goal-children__status";
    status.textContent = loading;
    box.appendChild(status);
    announce(loading);
    button.setAttribute("aria-busy", "true");
    fetch(box.getAttribute("data-url"), { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (response) {
        if (!response.ok) throw new Error(response.status);
        return response.text();
      })
      .then(function (html) {
        status.remove();
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var children = holder.querySelector("ul");
        children.id = "under-" + button.id;
        box.appendChild(children);
        enhance(children);
        button.setAttribute("aria-controls", children.id);
        button.setAttribute("aria-expanded", "true");
        remember(button);
        announce(shown(button));
      })
      .catch(function () {
        status.textContent = failed;
        announce(failed);
      })
      .finally(function () {
        button.removeAttribute("aria-busy");
      });
  }

  tree.addEventListener("click", function (event) {
    var button = event.target.closest("button.goal-toggle");
    if (!button || button.hasAttribute("aria-busy")) return;
    var box = button.parentElement;
    var children = list(box);
    var open = button.getAttribute("aria-expanded") === "true";
    if (open) {
      if (children) children.hidden = true;
      button.setAttribute("aria-expanded", "false");
    } else if (children) {
      children.hidden = false;
      button.setAttribute("aria-expanded", "true");
      remember(button);
      announce(shown(button));
    } else {
      var old = box.querySelector(".goal-children__status");
      if (old) old.remove();
      load(button, box);
    }
  });

  enhance(tree);

  // An address that names an opened goal (?oppna=<pk>) without a fragment shows that
  // goal, not the top of the chain; Back and reload keep the browser's own position.
  var opened = new URLSearchParams(location.search).get("oppna");
  var navigation = window.performance && performance.getEntriesByType
    ? performance.getEntriesByType("navigation")[0] : null;
  if (opened && !location.hash && !(navigation && navigation.type !== "navigate")) {
    var row = document.getElementById("mal-" + opened);
    if (row) row.scrollIntoView();
  }

  // "Visa fler" lands on the first row it added (#rad-151): move focus there too.
  if (/^#rad-\d+$/.test(location.hash)) {
    var target = document.getElementById(location.hash.slice(1));
    if (target) target.focus();
  }

  var bar = document.getElementById("tree-tools");
  if (bar) {
    var close = document.createElement("button");
    close.type = "button";
    close.className = "button button--quiet";
    close.textContent = bar.getAttribute("data-close-label");
    close.addEventListener("click", function () {
      tree.querySelectorAll("button.goal-toggle[aria-expanded=true]").forEach(function (b) {
        var children = list(b.parentElement);
        if (children) children.hidden = true;
        b.setAttribute("aria-expanded", "false");
      });
    });
    bar.appendChild(close);
  }
})();
