// Small page helpers; everything works without them.
document.addEventListener("click", function (event) {
  var el = event.target.closest("[data-confirm]");
  if (el && !window.confirm(el.getAttribute("data-confirm"))) { event.preventDefault(); }
});
document.addEventListener("submit", function (event) {
  var danger = event.target.querySelector("button.danger");
  if (danger && event.target.action.indexOf("/deactivate/") > -1 && !window.confirm("确定将该组织标记为注销/迁出吗？")) {
    event.preventDefault();
  }
});
// A select that reloads the page with its value (the dashboard's sort order): was an inline onchange,
// which the Content-Security-Policy refuses.
document.addEventListener("change", function (event) {
  var el = event.target.closest("select[data-navigate]");
  if (el) { window.location.search = el.getAttribute("data-navigate") + encodeURIComponent(el.value); }
});
