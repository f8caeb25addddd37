// Polls the import's job and shows its state and progress ("168 000 av 300 033 rader").
// Stops when the job is done or failed (and reloads once to show the result), and gives
// up after repeated network errors instead of polling forever.
(function () {
  var box = document.getElementById("import-progress");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("import-progress-bar");
  var text = document.getElementById("import-progress-text");
  var failures = 0;
  function poll() {
    fetch(url, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.json();
      })
      .then(function (s) {
        failures = 0;
        bar.value = s.percent;
        var label = s.state_label.charAt(0).toUpperCase() + s.state_label.slice(1);
        text.textContent = s.progress_label ? label + " – " + s.progress_label : label;
        if (s.finished) {
          window.location.reload();
        } else {
          setTimeout(poll, 1000);
        }
      })
      .catch(function () {
        failures += 1;
        if (failures < 20) setTimeout(poll, 3000);
      });
  }
  setTimeout(poll, 500);
})();
