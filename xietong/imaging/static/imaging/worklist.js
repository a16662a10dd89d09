// The reading worklist: fetch the rows again when the server says this centre's worklist
// changed (a study asked for, claimed, released, reported). The half-minute refresh of the
// rows covers a dropped connection.
(function () {
  "use strict";
  function connect(list, attempt) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    // WebSockets may have a server of their own at another port (data-ws-host, ADR 16).
    var socket = new WebSocket(scheme + (document.documentElement.dataset.wsHost || location.host) + list.dataset.ws);
    socket.onopen = function () {
      attempt = 0;
      list.dataset.live = "1";
    };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "changed" && window.htmx) {
        window.htmx.trigger("#rows", "worklist-changed");
      }
    };
    socket.onclose = function (event) {
      list.dataset.live = "";
      if (event.code === 4403) return;
      setTimeout(function () { connect(list, attempt + 1); }, Math.min(30000, 1000 * Math.pow(2, attempt)));
    };
  }
  document.addEventListener("DOMContentLoaded", function () {
    var list = document.querySelector("[data-worklist][data-ws]");
    if (list && "WebSocket" in window) connect(list, 0);
  });
})();
