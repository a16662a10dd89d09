// Live chat for chat/_thread.html: new messages and read receipts over the
// thread's WebSocket; sending (and attachments) by HTTP POST. Without script the form
// posts and the page reloads.
(() => {
  const pad = (n) => String(n).padStart(2, "0");
  const stamp = (iso) => {
    const d = new Date(iso);
    return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
  };

  const setup = (root) => {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    const me = Number(root.dataset.me);
    const list = root.querySelector(".thread-messages");
    const readBy = root.querySelector("[data-readby]");
    const status = root.querySelector("[data-thread-status]");
    const form = root.querySelector(".thread-form");
    const errors = root.querySelector("[data-errors]");
    const readersEl = document.getElementById(root.dataset.readers);
    const readers = new Map();
    (readersEl ? JSON.parse(readersEl.textContent) : []).forEach((r) => readers.set(r.user_id, r));
    let socket = null;

    const lastSeq = () => {
      const items = list.querySelectorAll("[data-seq]");
      return items.length ? Number(items[items.length - 1].dataset.seq) : 0;
    };
    const lastUuid = () => {
      const items = list.querySelectorAll("[data-message]");
      return items.length ? items[items.length - 1].dataset.message : null;
    };
    const renderReadBy = () => {
      const seq = lastSeq();
      const names = [...readers.values()]
        .filter((r) => r.user_id !== me && seq && r.seq >= seq)
        .map((r) => r.name);
      readBy.textContent = names.length ? `${root.dataset.readBy} ${names.join("、")}` : "";
    };
    // One receipt for a burst of messages, sent once the page has shown them.
    let readTimer = null;
    let lastSent = null;
    const sendRead = () => {
      clearTimeout(readTimer);
      readTimer = setTimeout(() => {
        const uuid = lastUuid();
        if (uuid && uuid !== lastSent && socket && socket.readyState === WebSocket.OPEN && document.visibilityState === "visible") {
          socket.send(JSON.stringify({ type: "read", message: uuid }));
          lastSent = uuid;
        }
      }, 300);
    };
    const el = (tag, cls, text) => {
      const node = document.createElement(tag);
      if (cls) node.className = cls;
      if (text !== undefined) node.textContent = text;
      return node;
    };
    const addMessage = (m) => {
      if (list.querySelector(`[data-message="${m.uuid}"]`)) return;
      const empty = list.querySelector("[data-empty]");
      if (empty) empty.remove();
      const li = el("li", "thread-message" + (m.author_id === me ? " mine" : ""));
      li.dataset.message = m.uuid;
      li.dataset.seq = String(m.seq);
      const meta = el("div", "thread-meta");
      meta.append(el("strong", "thread-author", m.author), el("span", "", m.institution));
      const time = el("time", "", stamp(m.created_at));
      time.dateTime = m.created_at;
      meta.append(time);
      li.append(meta);
      if (m.body) li.append(el("p", "thread-body", m.body));
      if (m.attachment_url) {
        const p = el("p", "mb-0 mt-1");
        const a = el("a", "", ` ${m.attachment_name}`);
        const clip = el("i", "bi bi-paperclip");
        clip.setAttribute("aria-hidden", "true");
        a.prepend(clip);
        a.href = m.attachment_url;
        a.target = "_blank";
        a.rel = "noopener";
        p.append(a);
        li.append(p);
      }
      // Keep order by sequence even if a socket message and a POST answer cross.
      const later = [...list.querySelectorAll("[data-seq]")].find((n) => Number(n.dataset.seq) > m.seq);
      list.insertBefore(li, later || null);
      list.scrollTop = list.scrollHeight;
      // Writing a message is reading the thread up to it.
      const known = readers.get(m.author_id);
      if (!known || known.seq < m.seq) readers.set(m.author_id, { user_id: m.author_id, name: m.author, seq: m.seq });
      renderReadBy();
    };

    // What was said while the socket was not open (connecting, or dropped and reconnecting)
    // never reaches it: each time it opens, the newest page is read once and merged.
    const catchUp = async () => {
      try {
        const response = await fetch(root.dataset.history, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        });
        if (!response.ok) return;
        const data = await response.json();
        (data.items || []).forEach(addMessage);
      } catch (err) {
        // The socket delivers what comes next; a reload shows the rest.
      }
    };

    let delay = 1000;
    const connect = () => {
      const scheme = location.protocol === "https:" ? "wss://" : "ws://";
      // WebSockets may have a server of their own at another port (data-ws-host, ADR 16).
      socket = new WebSocket(scheme + (document.documentElement.dataset.wsHost || location.host) + root.dataset.ws);
      socket.addEventListener("open", () => {
        delay = 1000;
        status.hidden = true;
        // Live from now on: what others send arrives without a reload.
        root.dataset.live = "1";
        catchUp();
        sendRead();
      });
      socket.addEventListener("message", (event) => {
        const data = JSON.parse(event.data);
        if (data.type === "message") {
          addMessage(data.message);
          if (data.message.author_id !== me) sendRead();
        } else if (data.type === "read") {
          readers.set(data.read.user_id, data.read);
          renderReadBy();
        }
      });
      socket.addEventListener("close", (event) => {
        delete root.dataset.live;
        // Refused (4403: no longer admitted) or signed out (4401): reconnecting cannot help.
        if (event.code === 4403 || event.code === 4401) {
          status.textContent = root.dataset.offline;
          status.hidden = false;
          return;
        }
        setTimeout(connect, delay);
        delay = Math.min(delay * 2, 30000);
      });
    };
    if ("WebSocket" in window) connect();
    document.addEventListener("visibilitychange", sendRead);

    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      errors.replaceChildren();
      try {
        const response = await fetch(root.dataset.post, {
          method: "POST",
          body: new FormData(form),
          headers: { "X-Requested-With": "fetch", Accept: "application/json" },
          credentials: "same-origin",
        });
        const data = await response.json();
        if (response.status === 201) {
          addMessage(data.message);
          form.reset();
        } else {
          const messages = Object.values(data.fields || {}).flat();
          (messages.length ? messages : [data.message]).forEach((text) => errors.append(el("li", "", text)));
        }
      } catch (err) {
        form.submit();
      } finally {
        button.disabled = false;
      }
    });
    renderReadBy();
    list.scrollTop = list.scrollHeight;
  };

  const init = () => document.querySelectorAll("section.thread[data-thread]").forEach(setup);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
