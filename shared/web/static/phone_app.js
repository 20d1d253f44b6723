// The simulated app: 开始人脸识别 shows the face frame and the two verdict buttons.
(function () {
  var start = document.getElementById("start-face");
  if (start) {
    start.addEventListener("click", function () {
      document.getElementById("face-start").classList.add("hidden");
      document.getElementById("face-scan").classList.remove("hidden");
    });
  }
})();
