// 长期有效 makes the validity start date irrelevant: grey the date input out while it is ticked.
(function () {
  var box = document.querySelector("input[name=id_long_term]");
  var day = document.getElementById("id_valid_from");
  if (!box || !day) { return; }
  function sync() { day.disabled = box.checked; }
  box.addEventListener("change", sync);
  sync();
})();
