// Progressive enhancement of /mal/: "open all" and "close all" for the goal tree.
(function () {
  var tree = document.querySelector(".goal-tree");
  var bar = document.getElementById("tree-tools");
  if (!tree || !bar) return;
  function button(label, open) {
    var b = document.createElement("button");
    b.type = "button";
    b.className = "button button--quiet";
    b.textContent = label;
    b.addEventListener("click", function () {
      tree.querySelectorAll("details").forEach(function (d) { d.open = open; });
    });
    return b;
  }
  bar.appendChild(button(bar.getAttribute("data-open-label"), true));
  bar.appendChild(button(bar.getAttribute("data-close-label"), false));
})();
