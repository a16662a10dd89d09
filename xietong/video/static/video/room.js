// The video room: camera and microphone, screen sharing, mute, leave and rejoin, and the
// participant list. Signalling goes through our WebSocket (ws/video/<room>/) with a
// short-lived join credential from the API. Two modes, chosen by the server:
//  - embedded: browser to browser; whoever was in the room first makes the offer;
//  - janus: our server relays SDP to Janus (publish once, subscribe to each feed).
// Offers and answers carry all ICE candidates (gathering completes before sending).
(() => {
  "use strict";
  const root = document.querySelector("[data-video-room]");
  if (!root) return;
  const t = JSON.parse(document.getElementById("video-strings").textContent);
  const $ = (sel) => root.querySelector(sel);
  const statusLine = $("[data-video-status]");
  const tiles = $("[data-tiles]");
  const list = $("[data-participants]");
  const localVideo = $("[data-local]");
  const buttons = {
    mic: $("[data-toggle-mic]"), camera: $("[data-toggle-camera]"),
    share: $("[data-share-screen]"), rejoin: $("[data-rejoin]"), leave: $("[data-leave]"),
  };

  let ws = null, ticket = null, me = "", myName = "", mode = "";
  let localStream = new MediaStream(), screenTrack = null, leaving = false;
  let joinStarted = 0, firstFrameSent = false, speaking = false;
  const people = new Map();   // peer id -> {name, muted, speaking}
  const links = new Map();    // embedded: peer id -> RTCPeerConnection
  const feeds = new Map();    // janus: feed id -> {pc, display}
  let publisher = null;       // janus: our publishing RTCPeerConnection

  const say = (text) => { statusLine.textContent = text; statusLine.hidden = !text; };
  const send = (msg) => { if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(msg)); };
  const iceServers = () => (ticket && ticket.ice_servers) || [];

  function renderPeople() {
    list.replaceChildren();
    const rows = [[me, { name: myName || t.you, muted: isMuted(), speaking }], ...people];
    for (const [id, p] of rows) {
      if (!id) continue;
      const li = document.createElement("li");
      li.dataset.peer = id;
      li.textContent = id === me ? `${p.name}（${t.you}）` : p.name;
      if (p.speaking) li.append(" · ", badge(t.speaking, "ok"));
      if (p.muted) li.append(" · ", badge(t.muted, "warn"));
      list.append(li);
    }
  }
  function badge(text, kind) {
    const span = document.createElement("span");
    // The kit's status tones: speaking is a good sign, muted one to notice.
    span.className = `badge xt-status xt-status-${kind === "ok" ? "done" : "wait"}`;
    span.textContent = text;
    return span;
  }
  const isMuted = () => !localStream.getAudioTracks().some((tr) => tr.enabled);

  function tile(id, label) {
    let fig = tiles.querySelector(`[data-tile="${CSS.escape(id)}"]`);
    if (!fig) {
      fig = document.createElement("figure");
      fig.className = "video-tile";
      fig.dataset.tile = id;
      const video = document.createElement("video");
      video.autoplay = true; video.playsInline = true; video.dataset.remote = "";
      video.addEventListener("playing", firstFrame, { once: true });
      const caption = document.createElement("figcaption");
      fig.append(video, caption);
      tiles.append(fig);
    }
    fig.querySelector("figcaption").textContent = label || "";
    return fig.querySelector("video");
  }
  function dropTile(id) { tiles.querySelector(`[data-tile="${CSS.escape(id)}"]`)?.remove(); }
  function firstFrame() {
    say(t.connected);
    if (firstFrameSent) return;
    firstFrameSent = true;
    send({ type: "quality", first_frame_ms: Math.round(performance.now() - joinStarted) });
  }

  function gathered(pc) {
    if (pc.iceGatheringState === "complete") return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => { if (pc.iceGatheringState === "complete") resolve(); };
      pc.addEventListener("icegatheringstatechange", done);
      setTimeout(resolve, 3000);   // send what we have rather than wait forever
    });
  }
  function newConnection() {
    const pc = new RTCPeerConnection({ iceServers: iceServers() });
    pc.addEventListener("iceconnectionstatechange", () => {
      if (pc.iceConnectionState === "failed") { send({ type: "quality", failure: true }); say(t.failed); }
    });
    return pc;
  }
  function addLocalTracks(pc) {
    for (const track of localStream.getTracks()) pc.addTrack(track, localStream);
    if (!localStream.getVideoTracks().length) pc.addTransceiver("video", { direction: "recvonly" });
    if (!localStream.getAudioTracks().length) pc.addTransceiver("audio", { direction: "recvonly" });
  }

  // --- embedded: browser to browser ---
  function link(peer) {
    let pc = links.get(peer);
    if (pc) return pc;
    pc = newConnection();
    addLocalTracks(pc);
    pc.addEventListener("track", (ev) => {
      const video = tile(peer, people.get(peer)?.name);
      if (video.srcObject !== ev.streams[0]) video.srcObject = ev.streams[0];
    });
    links.set(peer, pc);
    return pc;
  }
  async function offerTo(peer) {
    const pc = link(peer);
    await pc.setLocalDescription(await pc.createOffer());
    await gathered(pc);
    send({ type: "signal", to: peer, data: { sdp: pc.localDescription.toJSON() } });
  }
  async function onSignal(from, data) {
    if (!data || !data.sdp) return;
    const pc = link(from);
    await pc.setRemoteDescription(data.sdp);
    if (data.sdp.type === "offer") {
      await pc.setLocalDescription(await pc.createAnswer());
      await gathered(pc);
      send({ type: "signal", to: from, data: { sdp: pc.localDescription.toJSON() } });
    }
  }
  function unlink(peer) { links.get(peer)?.close(); links.delete(peer); dropTile(peer); }

  // --- janus: through our server to the SFU ---
  async function publish() {
    publisher = newConnection();
    addLocalTracks(publisher);
    await publisher.setLocalDescription(await publisher.createOffer());
    await gathered(publisher);
    send({ type: "janus.publish", sdp: publisher.localDescription.sdp });
  }
  function subscribe(list) {
    for (const p of list) {
      if (feeds.has(p.id)) continue;
      feeds.set(p.id, { pc: null, display: p.display });
      send({ type: "janus.subscribe", feed: p.id });
    }
  }
  async function onJanusOffer(msg) {
    const feed = feeds.get(msg.feed) || { display: "" };
    const pc = newConnection();
    feed.pc = pc;
    feeds.set(msg.feed, feed);
    pc.addEventListener("track", (ev) => {
      const video = tile(`feed-${msg.feed}`, feed.display);
      video.srcObject = ev.streams[0] || new MediaStream([ev.track]);
    });
    await pc.setRemoteDescription({ type: "offer", sdp: msg.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await gathered(pc);
    send({ type: "janus.start", handle: msg.handle, sdp: pc.localDescription.sdp });
  }
  function janusGone(feed) { feeds.get(feed)?.pc?.close(); feeds.delete(feed); dropTile(`feed-${feed}`); }

  async function handle(msg) {
    switch (msg.type) {
      case "welcome":
        me = msg.me; myName = msg.name; mode = msg.mode;
        $("[data-recording]").hidden = !msg.recording;
        say(t.waiting);
        renderPeople();
        if (mode === "janus") { await publish(); subscribe(msg.publishers || []); }
        break;
      case "peer":
        if (msg.state === "left") {
          people.delete(msg.peer);
          if (mode === "embedded") unlink(msg.peer);
        } else if (msg.state !== "state" || people.has(msg.peer)) {
          // Only "joined" and "here" add someone: a late "state" must not bring back a leaver.
          people.set(msg.peer, { name: msg.name, muted: msg.muted, speaking: msg.speaking });
          if (msg.state === "joined") {
            send({ type: "hello", to: msg.peer, muted: isMuted(), speaking });
            if (mode === "embedded") await offerTo(msg.peer);
          }
        }
        renderPeople();
        break;
      case "signal": await onSignal(msg.from, msg.data); break;
      case "recording": $("[data-recording]").hidden = !msg.on; break;
      case "janus.answer": await publisher.setRemoteDescription({ type: "answer", sdp: msg.sdp }); break;
      case "janus.publishers": subscribe(msg.publishers); break;
      case "janus.offer": await onJanusOffer(msg); break;
      case "janus.gone": janusGone(msg.feed); break;
      case "refused": case "unavailable": case "error": say(msg.message); break;
    }
  }

  async function join() {
    leaving = false; firstFrameSent = false;
    buttons.rejoin.hidden = true;
    say(t.connecting);
    joinStarted = performance.now();
    const response = await fetch(root.dataset.join, {
      method: "POST", credentials: "same-origin", headers: { "X-CSRFToken": root.dataset.csrf },
    });
    const body = await response.json().catch(() => ({}));
    if (!response.ok) { say(body.message || t.failed); buttons.rejoin.hidden = false; return; }
    ticket = body;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    // WebSockets may have a server of their own at another port (data-ws-host, ADR 16).
    const socket = new WebSocket(`${scheme}://${document.documentElement.dataset.wsHost || location.host}${body.signalling}?credential=${encodeURIComponent(body.credential)}`);
    ws = socket;
    let queue = Promise.resolve();   // handle messages one after another, in order
    socket.addEventListener("message", (ev) => { queue = queue.then(() => handle(JSON.parse(ev.data))).catch(() => say(t.failed)); });
    socket.addEventListener("close", () => {
      if (socket !== ws) return;   // an earlier connection, replaced by a rejoin
      teardown();
      if (!leaving) { say(statusLine.textContent === t.connected || statusLine.textContent === t.waiting ? t.dropped : statusLine.textContent || t.dropped); buttons.rejoin.hidden = false; }
    });
  }
  function teardown() {
    for (const peer of [...links.keys()]) unlink(peer);
    for (const feed of [...feeds.keys()]) janusGone(feed);
    publisher?.close(); publisher = null;
    people.clear(); renderPeople();
  }

  async function startMedia() {
    try {
      localStream = await navigator.mediaDevices.getUserMedia({
        audio: true, video: { width: { ideal: 640 }, height: { ideal: 480 } },
      });
    } catch (e) {
      say(t.no_camera);
    }
    localVideo.srcObject = localStream;
    watchSpeaking();
  }
  function watchSpeaking() {
    const track = localStream.getAudioTracks()[0];
    if (!track || !window.AudioContext) return;
    const context = new AudioContext();
    const analyser = context.createAnalyser();
    context.createMediaStreamSource(localStream).connect(analyser);
    const samples = new Uint8Array(analyser.fftSize);
    setInterval(() => {
      analyser.getByteTimeDomainData(samples);
      const level = Math.max(...samples) - 128;
      const now = track.enabled && level > 12;
      if (now !== speaking) { speaking = now; send({ type: "state", muted: isMuted(), speaking }); renderPeople(); }
    }, 300);
  }

  function senders() {
    const all = [...links.values()];
    if (publisher) all.push(publisher);
    return all.flatMap((pc) => pc.getSenders()).filter((s) => s.track && s.track.kind === "video");
  }
  buttons.mic.addEventListener("click", () => {
    const muted = !isMuted();
    localStream.getAudioTracks().forEach((tr) => { tr.enabled = !muted; });
    buttons.mic.textContent = muted ? t.unmute : t.mute;
    buttons.mic.setAttribute("aria-pressed", String(muted));
    send({ type: "state", muted, speaking: false });
    renderPeople();
  });
  buttons.camera.addEventListener("click", () => {
    const off = localStream.getVideoTracks().some((tr) => tr.enabled);
    localStream.getVideoTracks().forEach((tr) => { tr.enabled = !off; });
    buttons.camera.textContent = off ? t.camera_on : t.camera_off;
    buttons.camera.setAttribute("aria-pressed", String(off));
  });
  buttons.share.addEventListener("click", async () => {
    const camera = localStream.getVideoTracks()[0] || null;
    if (screenTrack) { screenTrack.stop(); return; }
    try {
      const screen = await navigator.mediaDevices.getDisplayMedia({ video: true });
      screenTrack = screen.getVideoTracks()[0];
    } catch (e) { return; }
    for (const s of senders()) await s.replaceTrack(screenTrack);
    localVideo.srcObject = new MediaStream([screenTrack]);
    buttons.share.textContent = t.stop_share;
    buttons.share.setAttribute("aria-pressed", "true");
    screenTrack.addEventListener("ended", async () => {
      screenTrack = null;
      for (const s of senders()) await s.replaceTrack(camera);
      localVideo.srcObject = localStream;
      buttons.share.textContent = t.share;
      buttons.share.setAttribute("aria-pressed", "false");
    });
    const original = screenTrack.stop.bind(screenTrack);
    screenTrack.stop = () => { original(); screenTrack?.dispatchEvent(new Event("ended")); };
  });
  buttons.leave.addEventListener("click", () => {
    leaving = true;
    send({ type: "leave" });
    ws?.close(1000);
    teardown();
    say(t.left);
    buttons.rejoin.hidden = false;
  });
  buttons.rejoin.addEventListener("click", () => { ws?.close(1000); join(); });
  window.addEventListener("pagehide", () => { leaving = true; send({ type: "leave" }); });

  startMedia().then(join);
})();
