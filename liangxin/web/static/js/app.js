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
// The message editor's buttons: wrap the selected text of the textarea in a tag (加粗, 列表项) or a
// link. The server keeps only the allowed tags (sanitised on save), so this is a convenience only.
document.addEventListener("click", function (event) {
  var button = event.target.closest(".toolbar button");
  if (!button) { return; }
  var area = document.getElementById(button.parentNode.getAttribute("data-editor"));
  if (!area) { return; }
  var start = area.selectionStart, end = area.selectionEnd, text = area.value.slice(start, end) || "文字";
  var open, close;
  if (button.hasAttribute("data-link")) {
    var url = window.prompt("链接地址（以 http:// 或 https:// 开头）", "https://");
    if (!url) { return; }
    open = '<a href="' + url.replace(/"/g, "") + '">'; close = "</a>";
  } else {
    var tag = button.getAttribute("data-wrap");
    open = (tag === "li" ? "<ul><li>" : "<" + tag + ">"); close = (tag === "li" ? "</li></ul>" : "</" + tag + ">");
  }
  area.setRangeText(open + text + close, start, end, "end");
  area.focus();
});
// 本月内容提示 on the meeting form: a suggested topic fills 会议主题 (without script the topics read as text).
document.addEventListener("click", function (event) {
  var button = event.target.closest("[data-fill-topic]");
  var topic = document.getElementById("id_topic");
  if (button && topic) { topic.value = button.getAttribute("data-fill-topic"); topic.focus(); }
});
