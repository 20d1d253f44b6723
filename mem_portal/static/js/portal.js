/* Small behaviours of the portal pages; every form also works without script. */
(function () {
  "use strict";

  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrfToken = csrfMeta ? csrfMeta.getAttribute("content") : "";

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken },
      body: data || new FormData()
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    });
  }

  // 显示密码 / 隐藏密码
  document.querySelectorAll("[data-toggle-password]").forEach(function (button) {
    button.addEventListener("click", function () {
      var input = document.getElementById(button.getAttribute("data-toggle-password"));
      var show = input.type === "password";
      input.type = show ? "text" : "password";
      button.textContent = show ? "隐藏密码" : "显示密码";
    });
  });

  // Editing a field clears the error shown next to it
  document.querySelectorAll(".field.has-error").forEach(function (field) {
    field.addEventListener("input", function () {
      field.classList.remove("has-error");
      var error = field.querySelector(".error");
      if (error) { error.classList.add("hidden"); }
    });
  });

  // 长期有效 disables the date
  var longTerm = document.getElementById("id_long_term");
  var validFrom = document.getElementById("id_valid_from");
  if (longTerm && validFrom) {
    var sync = function () { validFrom.disabled = longTerm.checked; };
    longTerm.addEventListener("change", sync);
    sync();
  }

  // 看不清，换一张
  var captchaImg = document.getElementById("captcha-img");
  if (captchaImg) {
    captchaImg.addEventListener("click", function () {
      post(captchaImg.getAttribute("data-refresh-url")).then(function (result) {
        if (!result.ok) { return; }
        document.getElementById("captcha_token").value = result.body.token;
        captchaImg.src = result.body.image_url;
        document.getElementById("captcha_answer").value = "";
      });
    });
  }

  // 获取验证码, then a 60-second countdown
  var smsButton = document.getElementById("sms-button");
  if (smsButton) {
    var hint = document.getElementById("sms-hint");
    var countdown = function (seconds) {
      smsButton.disabled = true;
      var timer = setInterval(function () {
        seconds -= 1;
        smsButton.textContent = seconds + "秒后重新获取";
        if (seconds <= 0) {
          clearInterval(timer);
          smsButton.disabled = false;
          smsButton.textContent = "获取验证码";
        }
      }, 1000);
      smsButton.textContent = seconds + "秒后重新获取";
    };
    smsButton.addEventListener("click", function () {
      var data = new FormData();
      data.append("phone", document.getElementById("phone").value);
      post(smsButton.getAttribute("data-url"), data).then(function (result) {
        hint.classList.toggle("error", !result.ok);
        hint.textContent = result.ok ? "验证码已发送，5分钟内有效" : result.body.message;
        if (result.ok) { countdown(60); }
      });
    });
  }

  // 实人认证: follow the ticket until it passes, fails or expires
  var check = document.getElementById("face-check");
  if (check) {
    var label = document.getElementById("face-state");
    var texts = {
      pending: "等待扫码认证……",
      passed: "认证成功，正在跳转……",
      failed: "人脸识别未通过，请点击“刷新二维码”后重试",
      expired: "二维码已过期，请点击“刷新二维码”"
    };
    var poll = function () {
      fetch(check.getAttribute("data-state-url"), { credentials: "same-origin" })
        .then(function (response) { return response.json(); })
        .then(function (body) {
          label.textContent = texts[body.state] || body.state;
          label.className = "state " + body.state;
          if (body.state === "passed") {
            setTimeout(function () { window.location.href = check.getAttribute("data-done-url"); }, 600);
          } else if (body.state === "pending") {
            setTimeout(poll, 1500);
          }
        })
        .catch(function () { setTimeout(poll, 3000); });
    };
    poll();
  }
})();
