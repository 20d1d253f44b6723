// Poll the face-check state; reload the page once the phone has decided it.
(function () {
  var box = document.getElementById("face-check");
  if (!box) { return; }
  var url = box.getAttribute("data-state-url");
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.state !== "pending") { window.location.reload(); return; }
        window.setTimeout(poll, 2000);
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
})();
