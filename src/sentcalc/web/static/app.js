// Progressive help for the case form; every page works without it.
// "Add a row" for the repeatable rows (drugs, adjustments, earlier reductions): clones the last row, empties it
// and numbers its fields on (drugs.3.grams), so the server reads it like any other row.
document.querySelectorAll(".rows").forEach(function (box) {
  var button = box.querySelector(".add-row");
  var body = box.querySelector("tbody");
  if (!button || !body) return;
  button.hidden = false;
  button.addEventListener("click", function () {
    var last = body.lastElementChild;
    var row = last.cloneNode(true);
    var next = body.children.length;
    row.querySelectorAll(".error").forEach(function (e) { e.remove(); });
    row.querySelectorAll("td").forEach(function (td) { td.classList.remove("has-error"); });
    row.querySelectorAll("input, select").forEach(function (el) {
      el.name = el.name.replace(/\.(\d+)\./, "." + next + ".");
      el.id = el.name;
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
      if (el.tagName === "SELECT") { el.selectedIndex = 0; } else { el.value = ""; }
    });
    body.appendChild(row);
    var first = row.querySelector("input, select");
    if (first) first.focus();
  });
});

// Jump to the first field with a problem.
var firstError = document.querySelector("[aria-invalid=true]");
if (firstError && !document.getElementById("results")) firstError.focus();
