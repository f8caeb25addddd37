// The forecast form: the deviation column follows what is typed (forecast − budget, tkr).
(function () {
  "use strict";
  var form = document.querySelector("[data-forecast-form]");
  if (!form) return;
  var format = new Intl.NumberFormat("sv-SE", { maximumFractionDigits: 0 });
  function parse(text) {
    var clean = text.replace(/\u2212/g, "-").replace(/[\s\u00a0\u202f]/g, "").replace(",", ".");
    if (!/^-?\d+(\.\d+)?$/.test(clean)) return null;
    return parseFloat(clean);
  }
  form.querySelectorAll("tr[data-budget]").forEach(function (row) {
    var input = row.querySelector("input");
    var output = row.querySelector("[data-deviation]");
    if (!input || !output) return;
    var budget = parseFloat(row.getAttribute("data-budget"));
    input.addEventListener("input", function () {
      var value = parse(input.value);
      output.textContent = value === null ? "–" : format.format(value - budget).replace("-", "\u2212");
    });
  });
})();
