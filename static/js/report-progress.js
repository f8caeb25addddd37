// Polls the report's status fragment and puts it in place; reloads once the job has ended
// (to show the report and its download), and gives up after repeated network errors.
(function () {
  var box = document.getElementById("report-progress");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var failures = 0;
  function poll() {
    fetch(url, { credentials: "same-origin" })
      .then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.text();
      })
      .then(function (html) {
        failures = 0;
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var fresh = holder.querySelector("#report-status");
        if (!fresh) throw new Error("no status");
        if (fresh.getAttribute("data-finished") === "1") {
          window.location.reload();
          return;
        }
        var text = document.getElementById("report-progress-text");
        var freshText = fresh.querySelector("#report-progress-text");
        if (text && freshText) text.textContent = freshText.textContent;
        var bar = box.querySelector("progress");
        var freshBar = fresh.querySelector("progress");
        if (bar && freshBar) bar.value = freshBar.value;
        setTimeout(poll, 1000);
      })
      .catch(function () {
        failures += 1;
        if (failures < 20) setTimeout(poll, 3000);
      });
  }
  setTimeout(poll, 500);
})();
