// Keeps the header bell's unread count live. Without WebSocket the rendered count stays.
(() => {
  const bell = document.querySelector("[data-bell-ws]");
  if (!bell || !("WebSocket" in window)) return;
  const badge = bell.querySelector("[data-bell-count]");
  let delay = 1000;
  const connect = () => {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    // WebSockets may have a server of their own at another port (data-ws-host, ADR 16).
    const socket = new WebSocket(scheme + (document.documentElement.dataset.wsHost || location.host) + bell.getAttribute("data-bell-ws"));
    socket.addEventListener("open", () => { delay = 1000; });
    socket.addEventListener("message", (event) => {
      const data = JSON.parse(event.data);
      if (data.type !== "unread") return;
      badge.textContent = String(data.count);
      badge.classList.toggle("empty", data.count === 0);
    });
    socket.addEventListener("close", (event) => {
      if (event.code >= 4000) return; // refused: signed out
      setTimeout(connect, delay);
      delay = Math.min(delay * 2, 30000);
    });
  };
  connect();
})();
