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

  // Editing a field clears the error shown under it
  document.addEventListener("input", function (event) {
    var field = event.target.closest && event.target.closest(".field.has-error");
    if (!field) { return; }
    field.classList.remove("has-error");
    var error = field.querySelector(".error");
    if (error) { error.classList.add("hidden"); }
  });

  // Show (or clear, with no message) the red error under the field holding input `name`
  function fieldError(name, message) {
    var input = document.getElementById(name);
    var field = input && input.closest(".field");
    if (!field) { return false; }
    var box = document.getElementById("error-" + name);
    if (!box && message) {
      box = document.createElement("div");
      box.className = "error";
      box.id = "error-" + name;
      field.appendChild(box);
    }
    if (box) {
      box.textContent = message || "";
      box.classList.toggle("hidden", !message);
    }
    field.classList.toggle("has-error", !!message);
    return true;
  }

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
        fieldError("phone", "");
        fieldError("sms_code", "");
        if (result.ok) {
          hint.textContent = "验证码已发送，5分钟内有效";
          countdown(60);
        } else if (!fieldError(result.body.field, result.body.message)) {
          fieldError("sms_code", result.body.message);
        }
      });
    });
  }
})();
