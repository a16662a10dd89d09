// The browser's upload of studies (imaging/_upload.html): files, a folder or a zip are read
// here first (a zip unpacked with fflate, each header read with dicom-parser) and grouped by
// study, so that the person sees what they are about to send. Each instance then goes on its
// own STOW-RS request with the session: a dropped line costs one instance, and before each
// run the archive is asked (QIDO-RS) which instances of the study it already keeps, so a retry,
// or the same files chosen again after a reload, sends only the rest.
"use strict";

(() => {
  const PARALLEL = 3; // requests at once: enough to fill the line, few enough for the server
  const HEAD_BYTES = 256 * 1024; // a header is read from the file's start; whole if longer
  const QIDO_PAGE = 1000; // the archive's largest QIDO page
  const BOUNDARY = "xietong-dicom-part";
  const DICOMDIR = "1.2.840.10008.1.3.10"; // Media Storage Directory Storage

  const fill = (text, values) => text.replace(/\{(\w+)\}/g, (m, key) => (key in values ? String(values[key]) : m));
  const megabytes = (n) => (n < 1048576 ? `${Math.ceil(n / 1024)} KB` : `${(n / 1048576).toFixed(n < 10485760 ? 1 : 0)} MB`);
  const csrfToken = () => {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) return field.value;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  };

  // --- Reading what was chosen -------------------------------------------------------------

  // A dropped folder is walked; each file keeps the path it had under it.
  async function droppedFiles(dataTransfer) {
    const entries = [...dataTransfer.items].map((item) => item.webkitGetAsEntry && item.webkitGetAsEntry()).filter(Boolean);
    if (!entries.length) return [...dataTransfer.files];
    const files = [];
    const walk = async (entry) => {
      if (entry.isFile) {
        files.push(await new Promise((resolve, reject) => entry.file(resolve, reject)));
        return;
      }
      const reader = entry.createReader();
      for (;;) {
        const batch = await new Promise((resolve, reject) => reader.readEntries(resolve, reject));
        if (!batch.length) break; // readEntries answers in batches until an empty one
        for (const child of batch) await walk(child);
      }
    };
    for (const entry of entries) await walk(entry);
    return files;
  }

  const isZip = (bytes) => bytes.length >= 4 && bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04;
  const hasDicm = (bytes) => bytes.length >= 132 && bytes[128] === 0x44 && bytes[129] === 0x49 && bytes[130] === 0x43 && bytes[131] === 0x4d;

  // Text of an element in the file's character set (Chinese names come as UTF-8 or GB18030).
  function decoderFor(dataSet) {
    const charset = (dataSet.string("x00080005") || "").split("\\").pop().trim().toUpperCase();
    const label = { "ISO_IR 192": "utf-8", GB18030: "gb18030", GBK: "gbk", "ISO_IR 100": "windows-1252" }[charset] || "windows-1252";
    const decoder = new TextDecoder(label);
    return (tag) => {
      const el = dataSet.elements[tag];
      if (!el || !el.length) return "";
      const bytes = dataSet.byteArray.subarray(el.dataOffset, el.dataOffset + el.length);
      return decoder.decode(bytes).replace(/[\0\s]+$/, "").trim();
    };
  }

  // A person name as people read it: the ideographic group when there is one, without ^.
  const personName = (pn) => {
    const groups = pn.split("=");
    return (groups[1] || groups[0] || "").replace(/\^+/g, " ").trim();
  };
  const nameKey = (name) => name.replace(/[\s^·•=]/g, "").toLowerCase();

  const inflater = (bytes, position) => {
    const inflated = window.fflate.inflateSync(bytes.subarray(position));
    const whole = new Uint8Array(position + inflated.length);
    whole.set(bytes.subarray(0, position), 0);
    whole.set(inflated, position);
    return whole;
  };

  function header(bytes) {
    const dataSet = window.dicomParser.parseDicom(bytes, { untilTag: "x7fe00010", inflater });
    const text = decoderFor(dataSet);
    return {
      storageClass: text("x00020002"),
      sop: text("x00080018"),
      study: text("x0020000d"),
      series: text("x0020000e"),
      patientName: personName(text("x00100010")),
      patientId: text("x00100020"),
      date: text("x00080020"),
      modality: text("x00080060"),
      description: text("x00081030"),
    };
  }

  // One chosen file (or a zip's entry, as a Blob) as an instance to send, or the reason it
  // is refused.
  async function readOne(name, source, texts) {
    const size = source.size;
    const head = new Uint8Array(await source.slice(0, HEAD_BYTES).arrayBuffer());
    if (!hasDicm(head)) return { refused: { name, reason: texts.notDicom } };
    let found;
    try {
      found = header(head);
    } catch {
      try {
        found = size > head.length ? header(new Uint8Array(await source.arrayBuffer())) : null;
      } catch {
        found = null;
      }
    }
    if (!found) return { refused: { name, reason: texts.unreadable } };
    // A disc's index of its files (DICOMDIR), beside the images on every CD a patient brings.
    if (found.storageClass === DICOMDIR) return { refused: { name, reason: texts.dicomdir } };
    if (!found.sop || !found.study || !found.series) return { refused: { name, reason: texts.noUids } };
    return { instance: { name, source, size, ...found } };
  }

  // A zip's files, unpacked as the zip is read: each one kept as a Blob (which the browser
  // may keep on disk) rather than the whole archive and all its files in memory at once.
  async function unzipped(file) {
    const found = [];
    let failure = null;
    const unzip = new window.fflate.Unzip((entry) => {
      if (entry.name.endsWith("/") || entry.name.startsWith("__MACOSX/")) return; // skipped
      const parts = [];
      entry.ondata = (error, data, final) => {
        if (error) failure = error;
        else if (data && data.length) parts.push(new Blob([data]));
        if (final && !error) found.push({ name: entry.name, blob: new Blob(parts) });
      };
      entry.start();
    });
    unzip.register(window.fflate.UnzipInflate);
    const reader = file.stream().getReader();
    for (;;) {
      const { done, value } = await reader.read();
      unzip.push(value || new Uint8Array(0), done);
      if (failure) throw failure;
      if (done) return found;
    }
  }

  async function readChosen(files, texts) {
    const instances = [];
    const refused = [];
    const take = (outcome) => (outcome.refused ? refused.push(outcome.refused) : instances.push(outcome.instance));
    for (const file of files) {
      const name = file.webkitRelativePath || file.name;
      let start;
      try {
        start = new Uint8Array(await file.slice(0, 4).arrayBuffer());
      } catch {
        refused.push({ name, reason: texts.unreadable }); // moved or deleted since it was chosen
        continue;
      }
      if (!isZip(start)) {
        take(await readOne(name, file, texts));
        continue;
      }
      let entries;
      try {
        entries = await unzipped(file);
      } catch {
        refused.push({ name, reason: texts.badZip });
        continue;
      }
      if (!entries.length) refused.push({ name, reason: texts.emptyZip });
      for (const entry of entries) take(await readOne(`${name} › ${entry.name}`, entry.blob, texts));
    }
    return { instances, refused };
  }

  // --- Talking to the archive --------------------------------------------------------------

  // The SOP Instance UIDs of the study the archive keeps (none when it does not know the
  // study, or keeps it where this person does not see it: then the archive answers
  // "duplicate" for what it already has). A search, not the study's own address: a study
  // not there yet is an empty answer, not a refused read in the audit log.
  async function alreadyKept(qidoUrl, studyUid) {
    const kept = new Set();
    for (let offset = 0; ; offset += QIDO_PAGE) {
      const url = `${qidoUrl}?StudyInstanceUID=${encodeURIComponent(studyUid)}&limit=${QIDO_PAGE}&offset=${offset}`;
      let rows;
      try {
        const answer = await fetch(url, { headers: { Accept: "application/dicom+json" }, credentials: "same-origin" });
        if (!answer.ok) return kept;
        rows = await answer.json();
      } catch {
        return kept; // the line is down: each send will say so, and the retry asks again
      }
      for (const row of rows) {
        const value = row["00080018"] && row["00080018"].Value;
        if (value) kept.add(value[0]);
      }
      if (rows.length < QIDO_PAGE) return kept;
    }
  }

  const detailOf = async (answer) => {
    try {
      const body = await answer.json();
      if (body && typeof body.detail === "string") return body.detail;
      const failed = body && body["00081198"] && body["00081198"].Value;
      const comment = failed && failed[0] && failed[0]["00000902"] && failed[0]["00000902"].Value;
      return comment ? comment[0] : "";
    } catch {
      return "";
    }
  };

  // One instance on one STOW-RS request: "" when the archive keeps it, else why not.
  async function sendOne(stowUrl, instance, texts) {
    const head = `--${BOUNDARY}\r\nContent-Type: application/dicom\r\n\r\n`;
    const body = new Blob([head, instance.source, `\r\n--${BOUNDARY}--\r\n`]);
    let answer;
    try {
      answer = await fetch(stowUrl, {
        method: "POST",
        body,
        credentials: "same-origin",
        headers: {
          "Content-Type": `multipart/related; type="application/dicom"; boundary=${BOUNDARY}`,
          Accept: "application/dicom+json",
          "X-CSRFToken": csrfToken(),
        },
      });
    } catch {
      return texts.network;
    }
    if (answer.status === 200) return "";
    return (await detailOf(answer)) || fill(texts.refusedStatus, { status: answer.status });
  }

  // --- The widget --------------------------------------------------------------------------

  function setup(root) {
    if (root.dataset.ready) return;
    root.dataset.ready = "1";
    if (!window.fflate || !window.dicomParser || !window.fetch) return; // stays hidden
    const textsNode = document.getElementById(root.dataset.texts);
    const texts = textsNode ? JSON.parse(textsNode.textContent) : {};
    const stowUrl = root.dataset.stowUrl;
    const status = root.querySelector("[data-status]");
    const studiesBox = root.querySelector("[data-studies]");
    const refusedBox = root.querySelector("[data-refused-box]");
    const refusedList = root.querySelector("[data-refused]");
    const sendButton = root.querySelector("[data-send]");
    const sendLabel = sendButton.querySelector("span");
    const drop = root.querySelector("[data-drop]");
    const studies = new Map(); // Study Instance UID -> its card and instances
    let busy = false;
    root.hidden = false;

    const el = (tag, className, text) => {
      const node = document.createElement(tag);
      if (className) node.className = className;
      if (text !== undefined) node.textContent = text;
      return node;
    };

    function studyCard(study) {
      const first = study.instances[0];
      const card = el("div", "xt-dicom-study");
      card.dataset.studyUid = study.uid;
      const title = el("div", "xt-dicom-study-title");
      title.append(el("strong", "", first.patientName || "—"));
      title.append(el("span", "text-body-secondary", ` ${texts.patientId} ${first.patientId || "—"}`));
      const date = first.date.length === 8 ? `${first.date.slice(0, 4)}-${first.date.slice(4, 6)}-${first.date.slice(6)}` : first.date;
      const what = el("div", "xt-dicom-study-what small");
      const modalities = [...new Set(study.instances.map((i) => i.modality).filter(Boolean))].join(" ");
      const count = el("span", "", "");
      what.append(el("span", "", [date, modalities, first.description || texts.studyFallback].filter(Boolean).join(" · ")), el("span", "", " · "), count);
      const bar = el("div", "progress");
      bar.setAttribute("role", "progressbar");
      bar.setAttribute("aria-valuemin", "0");
      bar.setAttribute("aria-valuemax", "100");
      bar.setAttribute("aria-valuenow", "0");
      bar.setAttribute("aria-label", first.description || texts.studyFallback);
      const fillBar = el("div", "progress-bar");
      bar.append(fillBar);
      const progress = el("div", "small text-body-secondary", "");
      const kept = el("p", "small mb-0", "");
      const note = el("p", "small mb-1", "");
      const errors = el("ul", "xt-dicom-errors small text-danger mb-1");
      const retry = el("button", "btn btn-sm btn-outline-danger", texts.retry);
      retry.type = "button";
      retry.hidden = true;
      retry.addEventListener("click", () => run([study]));
      card.append(title, what, bar, progress, kept, note, errors, retry);
      const mismatch = root.dataset.patientName && nameKey(first.patientName) !== nameKey(root.dataset.patientName);
      if (mismatch) note.append(el("span", "text-warning-emphasis", texts.otherPatient));
      Object.assign(study, { card, count, bar, fillBar, progress, kept, note, errors, retry });
      return card;
    }

    function show(study) {
      const total = study.instances.length;
      const done = study.instances.filter((i) => i.done).length;
      const bytes = study.instances.filter((i) => i.done).reduce((sum, i) => sum + i.size, 0);
      const totalBytes = study.instances.reduce((sum, i) => sum + i.size, 0);
      const percent = total ? Math.floor((100 * done) / total) : 0;
      study.count.textContent = fill(texts.images, { n: total });
      study.fillBar.style.width = `${percent}%`; // CSSOM, which the CSP allows
      study.fillBar.textContent = `${percent}%`;
      study.bar.setAttribute("aria-valuenow", String(percent));
      study.progress.textContent = fill(texts.progress, { sent: done, total, bytes: megabytes(bytes), totalBytes: megabytes(totalBytes) });
      const failed = study.instances.filter((i) => i.error);
      study.errors.replaceChildren(...failed.map((i) => el("li", "", `${i.name}: ${i.error}`)));
      if (failed.length) study.errors.prepend(el("li", "fw-semibold list-unstyled", fill(texts.failed, { n: failed.length })));
      study.retry.hidden = busy || !failed.length;
    }

    // More files may be chosen while others are on their way: they wait for the next send.
    async function choose(files) {
      status.textContent = texts.reading;
      const { instances, refused } = await readChosen(files, texts);
      for (const item of refused) refusedList.append(el("li", "", `${item.name}: ${item.reason}`));
      refusedBox.hidden = !refusedList.children.length;
      for (const instance of instances) {
        let study = studies.get(instance.study);
        if (!study) {
          study = { uid: instance.study, instances: [] };
          studies.set(instance.study, study);
        }
        // Chosen again: a failed one takes the new file (the person may have found a whole
        // copy); one already sent stays as it is.
        const same = study.instances.findIndex((i) => i.sop === instance.sop);
        if (same < 0) study.instances.push(instance);
        else if (!busy && !study.instances[same].done) study.instances[same] = { ...instance, error: study.instances[same].error };
      }
      for (const study of studies.values()) {
        if (!study.card) studiesBox.append(studyCard(study));
        show(study);
      }
      status.textContent = "";
      sendButton.hidden = !studies.size;
      if (studies.size) sendButton.focus();
    }

    // The page part listing the patient's studies, fetched again and put in place; then each
    // finished study says whether it landed on this patient (and, on a request, is ticked).
    async function placed(finished) {
      const target = document.querySelector(root.dataset.refresh);
      if (!target) return;
      const answer = await fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!answer.ok) return;
      const fresh = new DOMParser().parseFromString(await answer.text(), "text/html").querySelector(root.dataset.refresh);
      if (!fresh) return;
      const ticked = new Set([...target.querySelectorAll("input[type=checkbox]:checked")].map((i) => i.value));
      target.replaceChildren(...[...fresh.childNodes].map((n) => document.importNode(n, true)));
      target.querySelectorAll("input[type=checkbox]").forEach((box) => {
        if (ticked.has(box.value)) box.checked = true;
      });
      for (const study of finished) {
        const uid = CSS.escape(study.uid);
        const box = target.querySelector(`input[data-study-uid="${uid}"]`);
        const row = target.querySelector(`tr[data-study="${uid}"]`);
        study.note.replaceChildren();
        if (box && "choose" in root.dataset) {
          box.checked = true;
          study.note.append(el("span", "text-success", texts.chosenHere));
        } else if (box || row) {
          study.note.append(el("span", "text-success", texts.placedHere));
        } else {
          const link = el("a", "ms-1", texts.reconcile);
          link.href = root.dataset.reconcileUrl;
          study.note.append(el("span", "text-warning-emphasis", texts.notHere), link);
        }
      }
    }

    async function run(chosen) {
      if (busy) return;
      busy = true;
      sendButton.disabled = true;
      sendLabel.textContent = texts.sending;
      const queue = [];
      for (const study of chosen) {
        study.retry.hidden = true;
        study.note.textContent = texts.checking;
        const kept = await alreadyKept(root.dataset.qidoUrl, study.uid);
        let skipped = 0;
        for (const instance of study.instances) {
          if (kept.has(instance.sop)) {
            if (!instance.done) skipped += 1;
            Object.assign(instance, { done: true, error: "" });
          } else if (!instance.done || instance.error) {
            Object.assign(instance, { done: false, error: "" });
            queue.push([study, instance]);
          }
        }
        study.note.textContent = "";
        if (skipped) study.kept.textContent = fill(texts.already, { n: skipped });
        show(study);
      }
      const worker = async () => {
        while (queue.length) {
          const [study, instance] = queue.shift();
          instance.error = await sendOne(stowUrl, instance, texts);
          instance.done = !instance.error;
          show(study);
        }
      };
      await Promise.all(Array.from({ length: PARALLEL }, worker));
      busy = false;
      for (const study of chosen) show(study);
      const finished = chosen.filter((s) => s.instances.some((i) => i.done));
      try {
        await placed(finished);
      } catch {
        // The studies are in the archive; a reload shows them where they went.
      }
      const allDone = chosen.every((s) => s.instances.every((i) => i.done));
      status.textContent = allDone ? texts.done : "";
      sendButton.disabled = false;
      sendLabel.textContent = texts.send;
    }

    const inputs = {};
    root.querySelectorAll("input[data-input]").forEach((input) => {
      inputs[input.dataset.input] = input;
      input.addEventListener("change", async () => {
        const files = [...input.files];
        input.value = "";
        await choose(files);
      });
    });
    root.querySelectorAll("[data-pick]").forEach((button) => {
      button.addEventListener("click", () => inputs[button.dataset.pick].click());
    });
    sendButton.addEventListener("click", () => run([...studies.values()]));
    // Files may be dropped anywhere on the section (or the request's fieldset) that holds the
    // zone, not only on the dashed box: a near miss would have the browser open the file
    // in place of the page.
    const area = root.closest("section, fieldset") || root;
    const carriesFiles = (event) => event.dataTransfer && [...event.dataTransfer.types].includes("Files");
    area.addEventListener("dragover", (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      drop.classList.add("is-over");
    });
    area.addEventListener("dragleave", (event) => {
      if (!area.contains(event.relatedTarget)) drop.classList.remove("is-over");
    });
    area.addEventListener("drop", async (event) => {
      if (!carriesFiles(event)) return;
      event.preventDefault();
      drop.classList.remove("is-over");
      await choose(await droppedFiles(event.dataTransfer));
    });
    // A phone's browser picks no folders: its button would open a chooser of files anyway.
    if (!("webkitdirectory" in inputs.folder)) root.querySelector('[data-pick="folder"]').hidden = true;
    // Leaving while images are on their way asks first (what was sent stays sent).
    window.addEventListener("beforeunload", (event) => {
      if (busy) event.preventDefault();
    });
  }

  const start = () => document.querySelectorAll("[data-dicom-upload]").forEach(setup);
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
