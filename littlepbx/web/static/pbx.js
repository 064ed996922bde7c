/* The PBX page: every edit is sent to the REST API the moment it is made; Apply runs are watched live. */
"use strict";
(function () {
  const api = LP.api, el = LP.el;
  const root = document.getElementById("pbx");
  const code = root.dataset.org, timeZone = root.dataset.timezone, userEmail = root.dataset.userEmail;
  const base = "/orgs/" + encodeURIComponent(code);
  const ACTIVE_STATES = ["queued", "waiting_for_calls", "applying"];
  const STOPPABLE_STATES = ["queued", "waiting_for_calls"];
  const STATE_LABELS = {queued: "Queued", waiting_for_calls: "Waiting for calls", applying: "Applying",
    applied: "Applied", stopped: "Stopped", failed: "Failed"};
  const NO_ANSWER = [["voicemail", "Voicemail"], ["forward", "Forward to a number"], ["hangup", "Hang up"]];
  const FIELD_LABELS = {display_name: "name", ring_seconds: "ring seconds", no_answer: "if not answered",
    forward_to: "forward to", voicemail_enabled: "voicemail", voicemail_pin: "voicemail PIN",
    voicemail_email: "voicemail e-mail", sip_password: "SIP password", extension: "rings extension",
    description: "description", enabled: "music on hold", original_name: "music file", sha256: "music content",
    host: "host", port: "port", transport: "transport", username: "user name", password: "password",
    register: "register", from_user: "from user", from_domain: "from domain", source_addresses: "source addresses"};
  const state = {extensions: [], dids: [], run: null, calls: null, didCalls: null, moh: null};

  // ---------- field status: "Saving…", "Saved", or the API's error for that field ----------

  function statusFor(input) {
    return document.getElementById(input.id + "-status");
  }

  function setStatus(input, kind, text) {
    const status = statusFor(input);
    if (kind === "error") input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    if (!status) return;
    status.className = "status " + kind;
    status.textContent = text;
  }

  /* Put each of the API's field errors next to its field inside ``container``; the rest next to ``input``. */
  function showErrors(container, error, input) {
    let placed = false;
    Object.keys(error.fields || {}).forEach(function (name) {
      const target = container.querySelector('[name="' + name + '"]');
      if (target) {
        setStatus(target, "error", error.fields[name]);
        placed = placed || target === input;
      }
    });
    if (!placed && input) setStatus(input, "error", fieldMessage(error, input.name));
  }

  function fieldMessage(error, name) {
    return (error.fields && error.fields[name]) || error.message;
  }

  async function saveField(input, request) {
    setStatus(input, "saving", "Saving…");
    try {
      const result = await request();
      setStatus(input, "saved", "Saved");
      refreshChanges();
      return result;
    } catch (error) {
      showErrors(input.closest("[data-container]") || root, error, input);
      return undefined;
    }
  }

  function field(id, label, control, extraClass) {
    control.id = id;
    return el("div", {class: "field" + (extraClass ? " " + extraClass : "")},
      control.type === "checkbox" ? [control, el("label", {for: id}, label)] : [el("label", {for: id}, label), control],
      el("span", {class: "status", id: id + "-status", "aria-live": "polite"}));
  }

  // ---------- phone numbers (DIDs) ----------

  function renderDids() {
    const box = document.getElementById("did-list");
    if (!state.dids.length) {
      LP.replaceChildren(box, el("p", {class: "empty"},
        "No phone numbers yet: your provider assigns them to your organization, then they appear here."),
        callsLine());
      return;
    }
    const rows = state.dids.map(function (did) {
      const select = el("select", {name: "extension", "data-did": did.number},
        el("option", {value: ""}, "— nobody (calls are refused) —"),
        state.extensions.map(function (ext) {
          return el("option", {value: ext.number, selected: ext.number === did.extension},
            ext.number + (ext.display_name ? " · " + ext.display_name : ""));
        }));
      if (did.extension && !state.extensions.some(function (e) { return e.number === did.extension; })) {
        select.appendChild(el("option", {value: did.extension, selected: true}, did.extension + " (deleted)"));
      }
      select.addEventListener("change", function () {
        saveField(select, function () {
          return api("PATCH", base + "/dids/" + encodeURIComponent(did.number),
            {extension: select.value || null}).then(function () { did.extension = select.value || null; });
        });
      });
      const id = "did-" + did.number.replace(/\W/g, "") + "-extension";
      return el("tr", {"data-container": "", "data-did": did.number},
        el("th", {scope: "row"}, el("span", {class: "number"}, did.number),
          did.description ? el("span", {class: "muted"}, " " + did.description) : null),
        el("td", {}, field(id, "Rings", select, "inline")),
        didCallsCell(did.number));
    });
    LP.replaceChildren(box,
      el("table", {class: "dids"},
        el("thead", {}, el("tr", {}, el("th", {scope: "col"}, "Number"), el("th", {scope: "col"}, "Rings extension"),
          el("th", {scope: "col"}, "Calls arriving"))),
        el("tbody", {}, rows)),
      callsLine());
  }

  function didCallsCell(number) {
    const counts = state.didCalls;
    const calls = counts && typeof counts[number] === "number" ? counts[number] : null;
    const text = calls === null ? "unknown" : calls === 0 ? "none" : (calls === 1 ? "1 call" : calls + " calls");
    return el("td", {class: "did-calls" + (calls ? " busy" : ""), "data-did-calls": number}, text);
  }

  function callsLine() {
    const calls = state.calls;
    let text;
    if (calls === null) text = "Calls now: unknown (the PBX did not answer)";
    else if (calls === 0) text = "No calls right now";
    else text = (calls === 1 ? "1 call" : calls + " calls") + " in progress right now";
    return el("p", {id: "calls-now", class: "calls" + (calls ? " busy" : ""), role: "status"}, text);
  }

  // ---------- extensions ----------

  function renderExtensions() {
    const box = document.getElementById("extension-list");
    if (!state.extensions.length) {
      LP.replaceChildren(box, el("p", {class: "empty", id: "no-extensions"},
        "No extensions yet: add the first one below."));
      return;
    }
    LP.replaceChildren(box, state.extensions.map(extensionCard));
  }

  function extensionCard(ext) {
    const prefix = "ext-" + ext.number + "-";
    const save = function (input, changes) {
      return saveField(input, function () {
        return api("PATCH", base + "/extensions/" + encodeURIComponent(ext.number), changes)
          .then(function (updated) { Object.assign(ext, changes, updated && updated.number ? updated : {}); });
      });
    };
    const name = el("input", {name: "display_name", value: ext.display_name || "", maxlength: 60, autocomplete: "off"});
    name.addEventListener("change", function () { save(name, {display_name: name.value}); });

    const ring = el("input", {name: "ring_seconds", type: "number", min: 5, max: 120, step: 1, value: ext.ring_seconds});
    ring.addEventListener("change", function () { save(ring, {ring_seconds: numberOrText(ring.value)}); });

    const noAnswer = el("select", {name: "no_answer"}, NO_ANSWER.map(function (choice) {
      return el("option", {value: choice[0], selected: ext.no_answer === choice[0]}, choice[1]);
    }));
    const forward = el("input", {name: "forward_to", value: ext.forward_to || "", inputmode: "tel", autocomplete: "off",
      placeholder: "e.g. 102 or +14155550100"});
    const forwardField = field(prefix + "forward_to", "Forward to", forward);
    forwardField.hidden = ext.no_answer !== "forward";
    noAnswer.addEventListener("change", function () {
      forwardField.hidden = noAnswer.value !== "forward";
      if (noAnswer.value === "forward" && !forward.value.trim()) {
        setStatus(noAnswer, "pending", "Enter the number to forward to, then it is saved");
        forward.focus();
        return;
      }
      const changes = {no_answer: noAnswer.value};
      if (noAnswer.value === "forward") changes.forward_to = forward.value.trim();
      save(noAnswer, changes);
    });
    forward.addEventListener("change", function () {
      const changes = {forward_to: forward.value.trim() || null};
      if (noAnswer.value === "forward") changes.no_answer = "forward";
      save(forward, changes).then(function () {
        if (noAnswer.value === "forward" && !forward.getAttribute("aria-invalid")) setStatus(noAnswer, "saved", "Saved");
      });
    });

    const vmOn = el("input", {name: "voicemail_enabled", type: "checkbox", checked: !!ext.voicemail_enabled});
    vmOn.addEventListener("change", function () { save(vmOn, {voicemail_enabled: vmOn.checked}); });
    const pin = el("input", {name: "voicemail_pin", value: ext.voicemail_pin || "", inputmode: "numeric",
      autocomplete: "off", maxlength: 10});
    pin.addEventListener("change", function () { save(pin, {voicemail_pin: pin.value.trim() || null}); });
    const email = el("input", {name: "voicemail_email", type: "email", value: ext.voicemail_email || "",
      autocomplete: "off", placeholder: "voicemail sent here (optional)"});
    email.addEventListener("change", function () { save(email, {voicemail_email: email.value.trim() || null}); });

    const sipBox = el("div", {class: "sip", id: prefix + "sip", hidden: true});
    const sipButton = el("button", {type: "button", "aria-expanded": "false", "aria-controls": prefix + "sip"},
      "Show SIP settings");
    sipButton.addEventListener("click", function () { toggleSip(ext, sipButton, sipBox); });
    const deleteButton = el("button", {type: "button", class: "danger"}, "Delete");
    deleteButton.addEventListener("click", function () { deleteExtension(ext); });

    return el("article", {class: "ext card-inner", id: prefix + "card", "data-container": "",
      "data-number": ext.number, "aria-labelledby": prefix + "title"},
      el("header", {},
        el("h3", {id: prefix + "title"}, el("span", {class: "number"}, ext.number), " ",
          el("span", {class: "ext-name"}, ext.display_name || "")),
        registrationBadge(ext),
        el("span", {class: "actions"}, sipButton, deleteButton)),
      el("div", {class: "row"}, field(prefix + "display_name", "Name", name),
        field(prefix + "ring_seconds", "Ring for (seconds)", ring),
        field(prefix + "no_answer", "If not answered", noAnswer), forwardField),
      el("div", {class: "row"}, field(prefix + "voicemail_enabled", "Voicemail on", vmOn, "check"),
        field(prefix + "voicemail_pin", "Voicemail PIN", pin),
        field(prefix + "voicemail_email", "Voicemail e-mail", email)),
      sipBox);
  }

  function registrationBadge(ext) {
    if (typeof ext.registered !== "boolean") return null;
    return el("span", {class: "badge " + (ext.registered ? "ok" : "off")},
      ext.registered ? "phone registered" : "phone not registered");
  }

  function numberOrText(value) {
    return /^\s*-?\d+\s*$/.test(value) ? parseInt(value, 10) : (value.trim() === "" ? null : value);
  }

  async function toggleSip(ext, button, box) {
    if (!box.hidden) {
      box.hidden = true;
      LP.replaceChildren(box);
      button.setAttribute("aria-expanded", "false");
      button.textContent = "Show SIP settings";
      return;
    }
    box.hidden = false;
    button.setAttribute("aria-expanded", "true");
    button.textContent = "Hide SIP settings";
    await loadSip(ext, box);
  }

  async function loadSip(ext, box) {
    LP.replaceChildren(box, el("p", {class: "muted"}, "Loading…"));
    let sip;
    try {
      sip = await api("GET", base + "/extensions/" + encodeURIComponent(ext.number) + "/sip");
    } catch (error) {
      LP.replaceChildren(box, el("p", {class: "error", role: "alert"}, error.message));
      return;
    }
    const prefix = "ext-" + ext.number + "-sip-";
    const copyStatus = el("span", {class: "status", id: prefix + "copy-status", "aria-live": "polite"});
    const copy = el("button", {type: "button"}, "Copy password");
    copy.addEventListener("click", async function () {
      copyStatus.textContent = (await LP.copyText(sip.password)) ? "Copied" : "Select the password and copy it";
    });
    const regenerate = el("button", {type: "button", class: "danger"}, "Regenerate password");
    regenerate.addEventListener("click", async function () {
      const ok = await confirmAction("Regenerate the SIP password of " + ext.number + "?",
        "The phone keeps working with the old password until the next Apply; then it must be given the new one.",
        "Regenerate");
      if (!ok) return;
      try {
        await api("POST", base + "/extensions/" + encodeURIComponent(ext.number) + "/sip/regenerate");
      } catch (error) {
        copyStatus.textContent = error.message;
        return;
      }
      refreshChanges();
      await loadSip(ext, box);
    });
    const row = function (label, value, id) {
      return [el("dt", {}, label), el("dd", {}, el("code", {id: id ? prefix + id : null}, String(value)))];
    };
    LP.replaceChildren(box,
      el("dl", {class: "sipsettings"},
        row("Server", sip.server, "server"), row("Port", sip.port, "port"),
        row("Transport", String(sip.transport || "").toUpperCase(), "transport"),
        row("User name", sip.username, "username"),
        sip.auth_username && sip.auth_username !== sip.username ? row("Auth user name", sip.auth_username) : null,
        row("Password", sip.password, "password")),
      sip.live === false ? el("p", {class: "note"}, "This password becomes active on the phone line after the next Apply.") : null,
      el("div", {class: "buttons"}, copy, regenerate, copyStatus),
      el("p", {class: "muted"}, el("a", {href: "/orgs/" + encodeURIComponent(code) + "/help/phones"},
        "How to enter these in your phone")));
  }

  async function deleteExtension(ext) {
    const ok = await confirmAction("Delete extension " + ext.number + "?",
      "Numbers that ring it will ring nobody until you choose another extension. Nothing changes on the phones until Apply.",
      "Delete");
    if (!ok) return;
    try {
      await api("DELETE", base + "/extensions/" + encodeURIComponent(ext.number));
    } catch (error) {
      showApplyError(error.message);
      return;
    }
    await Promise.all([loadExtensionsAndDids(), refreshChanges()]);
    document.getElementById("new-number").focus();
  }

  function wireAddForm() {
    const form = document.getElementById("add-extension");
    const number = document.getElementById("new-number"), name = document.getElementById("new-display_name");
    const problem = document.getElementById("add-extension-error");
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      [number, name].forEach(function (input) { setStatus(input, "", ""); });
      problem.hidden = true;
      const data = {number: number.value.trim()};
      if (name.value.trim()) data.display_name = name.value.trim();
      try {
        await api("POST", base + "/extensions", data);
      } catch (error) {
        const known = Object.keys(error.fields || {}).filter(function (f) { return f === "number" || f === "display_name"; });
        known.forEach(function (f) { setStatus(f === "number" ? number : name, "error", error.fields[f]); });
        if (!known.length) { problem.textContent = error.message; problem.hidden = false; }
        return;
      }
      form.reset();
      await Promise.all([loadExtensionsAndDids(), refreshChanges()]);
      setStatus(number, "saved", "Extension " + data.number + " added");
      number.focus();
    });
  }

  // ---------- pending changes ----------

  async function refreshChanges() {
    let diff;
    try {
      diff = await api("GET", base + "/changes");
    } catch (error) {
      document.getElementById("pending").textContent = "Cannot tell what is pending: " + error.message;
      return;
    }
    const lines = diffLines(diff);
    const pending = document.getElementById("pending");
    const details = document.getElementById("diff");
    pending.classList.toggle("has-changes", lines.length > 0);
    pending.textContent = lines.length
      ? (lines.length === 1 ? "1 change" : lines.length + " changes") + " not applied yet"
      : "No pending changes: the PBX runs what you see.";
    details.hidden = lines.length === 0;
    LP.replaceChildren(document.getElementById("diff-list"), lines.map(function (line) {
      return el("li", {class: line.kind}, line.text);
    }));
  }

  function diffLines(diff) {
    const lines = [];
    const sections = [["extensions", "Extension"], ["dids", "Number"], ["trunks", "Trunk"], ["music_on_hold", "Music on hold"]];
    sections.forEach(function (pair) {
      const section = diff && diff[pair[0]];
      if (!section) return;
      const what = function (row) { return describeRow(pair[0], pair[1], row); };
      (section.added || []).forEach(function (row) { lines.push({kind: "added", text: what(row) + " added"}); });
      (section.changed || []).forEach(function (change) {
        const fields = Object.keys(change.fields).filter(function (f) { return f !== "sha256" || !change.fields.original_name; })
          .map(function (f) {
            const c = change.fields[f];
            return (FIELD_LABELS[f] || f) + " " + shown(c.from) + " → " + shown(c.to);
          });
        lines.push({kind: "changed", text: what(change.key) + ": " + fields.join("; ")});
      });
      (section.removed || []).forEach(function (row) { lines.push({kind: "removed", text: what(row) + " removed"}); });
    });
    return lines;
  }

  function describeRow(section, label, row) {
    if (section === "music_on_hold") return label;
    if (section === "trunks") return label + " " + row.direction;
    return label + " " + row.number + (row.display_name ? " (" + row.display_name + ")" : "");
  }

  function shown(value) {
    if (value === null || value === undefined || value === "") return "none";
    if (value === true) return "on";
    if (value === false) return "off";
    return String(value);
  }

  // ---------- Apply, Stop, Discard, Reset and the live run state ----------

  function renderRun() {
    const run = state.run, box = document.getElementById("run-state");
    const active = !!run && ACTIVE_STATES.indexOf(run.state) >= 0;
    document.getElementById("apply-button").disabled = active;
    document.getElementById("stop-button").disabled = !(active && STOPPABLE_STATES.indexOf(run.state) >= 0);
    document.getElementById("discard-button").disabled = active;
    document.getElementById("reset-button").disabled = active;
    if (!run) {
      box.dataset.state = "none";
      LP.replaceChildren(box, "Nothing has been applied from this page yet.");
      return;
    }
    box.dataset.state = run.state;
    const when = run.finished_at || run.started_at || run.requested_at;
    LP.replaceChildren(box,
      el("strong", {class: "state state-" + run.state}, STATE_LABELS[run.state] || run.state),
      " — ", run.description || run.message || "",
      when ? el("span", {class: "muted"}, " (" + LP.formatTime(when, timeZone) + ")") : null);
  }

  function showApplyError(message) {
    const problem = document.getElementById("apply-error");
    problem.textContent = message || "";
    problem.hidden = !message;
  }

  function runOf(body) {
    const run = body && body.run !== undefined ? body.run : body;
    return run && run.state ? run : null;
  }

  async function pollRun() {
    const before = state.run;
    try {
      state.run = runOf(await api("GET", base + "/apply"));
    } catch (error) {
      if (error.status !== 404) return;
      state.run = null;
    }
    renderRun();
    const wasActive = before && ACTIVE_STATES.indexOf(before.state) >= 0;
    const isActive = state.run && ACTIVE_STATES.indexOf(state.run.state) >= 0;
    if (wasActive && !isActive) refreshChanges();
  }

  async function pollCalls() {
    try {
      const body = await api("GET", base + "/calls");
      state.calls = typeof body.active_calls === "number" ? body.active_calls : LP.items(body).length;
      state.didCalls = body.dids || null;
    } catch (error) {
      state.calls = null;
      state.didCalls = null;
    }
    const line = document.getElementById("calls-now");
    if (line) line.replaceWith(callsLine());
    document.querySelectorAll("td[data-did-calls]").forEach(function (cell) {
      cell.replaceWith(didCallsCell(cell.getAttribute("data-did-calls")));
    });
  }

  function schedulePolling() {
    let ticks = 0;
    const tick = async function () {
      await pollRun();
      if (ticks++ % 5 === 0) await pollCalls();
      const active = state.run && ACTIVE_STATES.indexOf(state.run.state) >= 0;
      window.setTimeout(tick, active ? 700 : 3000);
    };
    window.setTimeout(tick, 700);
  }

  function wireRunButtons() {
    document.getElementById("apply-button").addEventListener("click", async function () {
      showApplyError("");
      const notify = document.getElementById("notify").checked;
      try {
        state.run = runOf(await api("POST", base + "/apply", notify ? {notify: true, email: userEmail} : {notify: false}));
      } catch (error) {
        if (error.detail && error.detail.run) state.run = error.detail.run;
        showApplyError(error.message);
      }
      renderRun();
    });
    document.getElementById("stop-button").addEventListener("click", async function () {
      showApplyError("");
      try {
        state.run = runOf(await api("POST", base + "/apply/stop"));
      } catch (error) {
        showApplyError(error.message);
      }
      renderRun();
      refreshChanges();
    });
    document.getElementById("discard-button").addEventListener("click", function () {
      draftAction("discard", "Discard your changes?",
        "Everything not applied yet goes back to the live configuration.", "Discard changes");
    });
    document.getElementById("reset-button").addEventListener("click", function () {
      draftAction("reset", "Reset to the defaults?",
        "All extensions are replaced by one extension, 100 (Reception), every number rings it, and music on hold is turned off. Nothing changes on the phones until Apply.",
        "Reset");
    });
  }

  async function draftAction(action, title, text, okLabel) {
    showApplyError("");
    if (!(await confirmAction(title, text, okLabel))) return;
    try {
      await api("POST", base + "/" + action);
    } catch (error) {
      showApplyError(error.message);
      return;
    }
    await loadAll();
  }

  // ---------- confirmation dialog (keyboard-usable <dialog>) ----------

  function confirmAction(title, text, okLabel) {
    const dialog = document.getElementById("confirm");
    document.getElementById("confirm-title").textContent = title;
    document.getElementById("confirm-text").textContent = text;
    document.getElementById("confirm-ok").textContent = okLabel;
    dialog.returnValue = "";
    return new Promise(function (resolve) {
      dialog.addEventListener("close", function () { resolve(dialog.returnValue === "ok"); }, {once: true});
      dialog.showModal();
      document.getElementById("confirm-cancel").focus();
    });
  }

  // ---------- music on hold ----------

  function mohOf(body) {
    return body && body.moh ? body.moh : body;
  }

  function renderMoh() {
    const moh = state.moh || {};
    const checkbox = document.getElementById("moh-enabled");
    checkbox.checked = !!moh.enabled;
    const box = document.getElementById("moh-current");
    if (!moh.has_file && !moh.sha256) {
      LP.replaceChildren(box, el("p", {class: "empty", id: "moh-empty"},
        "No music uploaded yet: callers on hold hear the PBX's default music. Upload an MP3 to use your own."));
      return;
    }
    LP.replaceChildren(box,
      el("p", {id: "moh-name"}, "Uploaded: ", el("strong", {}, moh.original_name || "music")),
      el("audio", {controls: true, preload: "none", id: "moh-player",
        src: "/api/v1" + base + "/moh/audio?v=" + encodeURIComponent(moh.sha256 || "")},
        "Your browser cannot play the music here."));
  }

  function wireMoh() {
    const checkbox = document.getElementById("moh-enabled");
    checkbox.addEventListener("change", function () {
      saveField(checkbox, function () {
        return api("PUT", base + "/moh", {enabled: checkbox.checked}).then(function (body) {
          if (body) state.moh = mohOf(body);
        });
      }).then(function (result) {
        if (result === undefined && checkbox.getAttribute("aria-invalid")) checkbox.checked = !checkbox.checked;
      });
    });
    const form = document.getElementById("moh-upload"), file = document.getElementById("moh-file");
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      if (!file.files.length) { setStatus(file, "error", "choose an MP3 file first"); return; }
      const data = new FormData();
      data.append("file", file.files[0]);
      setStatus(file, "saving", "Uploading and converting…");
      try {
        state.moh = mohOf(await api("PUT", base + "/moh", data));
      } catch (error) {
        setStatus(file, "error", fieldMessage(error, "file"));
        return;
      }
      setStatus(file, "saved", "Uploaded");
      form.reset();
      renderMoh();
      refreshChanges();
    });
  }

  // ---------- loading ----------

  async function loadExtensionsAndDids() {
    const results = await Promise.all([LP.listAll(base + "/extensions"), LP.listAll(base + "/dids")]);
    state.extensions = results[0];
    state.dids = results[1];
    renderExtensions();
    renderDids();
  }

  async function loadMoh() {
    state.moh = mohOf(await api("GET", base + "/moh"));
    renderMoh();
  }

  async function loadAll() {
    try {
      await Promise.all([loadExtensionsAndDids(), loadMoh(), refreshChanges(), pollRun(), pollCalls()]);
      root.dataset.loaded = "true";
    } catch (error) {
      showApplyError("Could not load the PBX: " + error.message);
    }
  }

  wireAddForm();
  wireRunButtons();
  wireMoh();
  loadAll().then(schedulePolling);
})();
