// Start Swagger UI on the documents the page names (data-documents), without inline script.
(function () {
  "use strict";
  var holder = document.getElementById("swagger-ui");
  var documents = JSON.parse(holder.getAttribute("data-documents"));
  window.ui = SwaggerUIBundle({
    urls: documents,
    "urls.primaryName": documents[0].name,
    dom_id: "#swagger-ui",
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: false,
    persistAuthorization: false,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset],
    plugins: [SwaggerUIBundle.plugins.DownloadUrl],
    layout: "StandaloneLayout"
  });
}());
