// Today's board: reload the rows when the server says the day changed (a transition of one
// of the centre's consultations). The every-minute refresh covers a dropped connection.
(function () {
  "use strict";
  function connect(board, attempt) {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    // WebSockets may have a server of their own at another port (data-ws-host, ADR 16).
    var socket = new WebSocket(scheme + (document.documentElement.dataset.wsHost || location.host) + board.dataset.ws);
    var offline = board.querySelector("[data-board-offline]");
    socket.onopen = function () {
      attempt = 0;
      board.dataset.live = "1";
      if (offline) offline.hidden = true;
    };
    socket.onmessage = function (event) {
      var data = JSON.parse(event.data);
      if (data.type === "changed" && window.htmx) {
        window.htmx.trigger("#board-body", "board-changed");
      }
    };
    socket.onclose = function (event) {
      board.dataset.live = "";
      if (offline) offline.hidden = false;
      if (event.code === 4403) return;
      setTimeout(function () { connect(board, attempt + 1); }, Math.min(30000, 1000 * Math.pow(2, attempt)));
    };
  }
  document.addEventListener("DOMContentLoaded", function () {
    var board = document.querySelector(".board[data-ws]");
    if (board && "WebSocket" in window) connect(board, 0);
    var clock = document.querySelector("[data-clock]");
    if (clock) {
      setInterval(function () {
        clock.textContent = new Date().toLocaleTimeString("zh-CN", { hour12: false });
      }, 1000);
    }
  });
})();
