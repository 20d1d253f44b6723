// 实人认证 on the desktop (both portals): follow the ticket and say how it stands:
// 等待扫码 → 已扫码，请在手机上完成认证 → 认证通过 / 认证未通过 / 二维码已过期.
// Passed: go on to data-done-url. Failed or expired: the QR code is masked, with 刷新二维码.
(function () {
  "use strict";
  var box = document.getElementById("face-check");
  if (!box) { return; }
  var label = document.getElementById("face-state");
  var mask = box.querySelector(".qr-mask-text");

  function show(face) {
    box.setAttribute("data-state", face.state);
    box.setAttribute("data-scanned", face.scanned ? "1" : "0");
    label.textContent = face.label;
    label.className = "state " + face.state + (face.scanned ? " scanned" : "");
    if (mask) { mask.textContent = face.label; }
  }

  function poll() {
    fetch(box.getAttribute("data-state-url"),
          { credentials: "same-origin", headers: { "Accept": "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (face) {
        if (!face) { window.setTimeout(poll, 3000); return; }
        show(face);
        if (face.state === "passed") {
          window.setTimeout(function () {
            window.location.href = box.getAttribute("data-done-url");
          }, 800);
        } else if (face.state === "pending") {
          window.setTimeout(poll, 1000);
        }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }

  if (box.getAttribute("data-state") === "pending") { poll(); }
})();
