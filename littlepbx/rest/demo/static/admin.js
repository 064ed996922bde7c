// LittlePBXAdmin: drives the LittlePBX REST API with a bearer token, and logs every exchange.
"use strict";

const API = document.body.dataset.api;
// The token lives in this page's memory only: no storage another page of the site could read,
// and it is gone when the tab is closed or reloaded.
const state = { token: "", org: null, polling: null };
const $ = (selector) => document.querySelector(selector);

function el(tag, text, attrs = {}) {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attrs)) node.setAttribute(name, value);
  return node;
}

function logExchange(method, url, body, response, payload) {
  const item = el("li");
  const shownToken = state.token ? state.token.slice(0, 9) + "…" : "(none)";
  let request = `${method} ${url}\nAuthorization: Bearer ${shownToken}`;
  if (body !== undefined) request += `\nContent-Type: application/json\n\n${JSON.stringify(body, null, 2)}`;
  item.append(el("pre", request, { class: "req" }));
  const status = response ? `HTTP ${response.status} ${response.statusText}` : "network error";
  const text = payload === undefined ? "" : "\n\n" + (typeof payload === "string" ? payload : JSON.stringify(payload, null, 2));
  item.append(el("pre", status + text, { class: response && response.ok ? "ok" : "err" }));
  $("#log").prepend(item);
}

// One API call: JSON in and out, logged; resolves to {ok, status, data}.
async function call(method, path, body) {
  const url = API + path;
  const options = { method, headers: { Accept: "application/json" } };
  if (state.token) options.headers.Authorization = `Bearer ${state.token}`;
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response, data;
  try {
    response = await fetch(url, options);
    const text = await response.text();
    try { data = text ? JSON.parse(text) : undefined; } catch (e) { data = text; }
  } catch (error) {
    logExchange(method, url, body, null, String(error));
    return { ok: false, status: 0, data: null };
  }
  logExchange(method, url, body, response, data);
  return { ok: response.ok, status: response.status, data };
}

function formValues(form) {
  const values = {};
  for (const input of form.querySelectorAll("input, select")) {
    if (input.type === "checkbox") values[input.name] = input.checked;
    else if (input.value.trim() !== "") values[input.name] = input.type === "number" ? Number(input.value) : input.value.trim();
  }
  return values;
}

function button(text, onClick, testid) {
  const node = el("button", text, { type: "button" });
  if (testid) node.dataset.testid = testid;
  node.addEventListener("click", onClick);
  return node;
}

async function whoAmI() {
  const answer = await call("GET", "/session");
  $("#whoami").textContent = answer.ok ? `${answer.data.name} (${answer.data.role})` : "not accepted";
  if (answer.ok) await loadOrgs();
}

async function loadOrgs() {
  const answer = await call("GET", "/orgs?limit=500");
  const body = $("#orgs");
  body.replaceChildren();
  if (!answer.ok) return;
  for (const org of answer.data.items) {
    const row = el("tr", undefined, { "data-code": org.code });
    row.append(el("td", org.code), el("td", org.name), el("td", org.admin_email));
    const actions = el("td");
    actions.append(button("Open", () => openOrg(org.code), `open-${org.code}`),
                   button("Delete", () => deleteOrg(org.code), `delete-${org.code}`));
    row.append(actions);
    body.append(row);
  }
}

async function deleteOrg(code) {
  if (!window.confirm(`Delete organization ${code} and its whole PBX configuration?`)) return;
  const answer = await call("DELETE", `/orgs/${encodeURIComponent(code)}`);
  if (answer.ok && state.org === code) { state.org = null; $("#org-section").hidden = true; }
  await loadOrgs();
}

function orgPath(suffix = "") {
  return `/orgs/${encodeURIComponent(state.org)}${suffix}`;
}

async function openOrg(code) {
  state.org = code;
  $("#org-code").textContent = code;
  $("#org-section").hidden = false;
  delete $("#org-section").dataset.loaded;
  stopPolling();
  $("#run-state").textContent = "none";
  $("#run-description").textContent = "";
  await Promise.all([loadList("/dids", "#dids", (d) => `${d.number} → ${d.destination || "(nothing)"}`, "number"),
                     loadList("/extensions", "#extensions", (e) => `${e.number} ${e.display_name}`, "number"),
                     loadList("/admins", "#admins", (a) => `${a.email}${a.active ? "" : " (inactive)"}`, "email"),
                     loadTrunk("inbound"), loadTrunk("outbound"), loadTrunk("failover"), showRun()]);
  $("#org-section").dataset.loaded = code;  // the forms now show the org's values
}

async function loadList(path, selector, label, key) {
  const answer = await call("GET", orgPath(path + "?limit=500"));
  const list = $(selector);
  list.replaceChildren();
  if (!answer.ok) return;
  for (const item of answer.data.items) {
    const line = el("li", label(item) + " ");
    const remove = path === "/dids" ? "Release" : "Delete";
    line.append(button(remove, async () => {
      await call("DELETE", orgPath(`${path}/${encodeURIComponent(item[key])}`));
      await loadList(path, selector, label, key);
    }));
    list.append(line);
  }
}

async function loadTrunk(direction) {
  const form = document.querySelector(`.trunk-form[data-direction="${direction}"]`);
  const answer = await call("GET", orgPath(`/trunks/${direction}`));
  form.reset();
  if (!answer.ok) return;
  for (const [name, value] of Object.entries(answer.data)) {
    const input = form.elements.namedItem(name);
    if (!input) continue;
    if (input.type === "checkbox") input.checked = Boolean(value);
    else input.value = Array.isArray(value) ? value.join(" ") : (value ?? "");
  }
}

async function showRun() {
  const answer = await call("GET", orgPath("/apply"));
  if (answer.ok) renderRun(answer.data);
  return answer;
}

function renderRun(run) {
  $("#run-state").textContent = run.state;
  $("#run-description").textContent = run.description || "";
}

function stopPolling() {
  if (state.polling) clearTimeout(state.polling);
  state.polling = null;
}

// Watch the run: poll GET /apply until it is no longer active.
function watchRun() {
  stopPolling();
  state.polling = setTimeout(async () => {
    const answer = await showRun();
    if (answer.ok && answer.data.active) watchRun();
    else state.polling = null;
  }, 1000);
}

function onSubmit(selector, handler) {
  document.querySelectorAll(selector).forEach((form) => form.addEventListener("submit", async (event) => {
    event.preventDefault();
    await handler(form);
  }));
}

function wire() {
  onSubmit("#token-form", async () => {
    state.token = $("#token").value.trim();
    $("#token").value = "";
    await whoAmI();
  });
  onSubmit("#org-form", async (form) => {
    const answer = await call("POST", "/orgs", formValues(form));
    if (answer.ok) { form.reset(); await loadOrgs(); await openOrg(answer.data.code); }
  });
  onSubmit(".trunk-form", async (form) => {
    const values = formValues(form);
    if (form.dataset.direction !== "outbound") delete values.register;
    await call("PUT", orgPath(`/trunks/${form.dataset.direction}`), values);
  });
  onSubmit("#did-form", async (form) => {
    const answer = await call("POST", orgPath("/dids"), formValues(form));
    if (answer.ok) { form.reset(); await loadList("/dids", "#dids", (d) => `${d.number} → ${d.destination || "(nothing)"}`, "number"); }
  });
  onSubmit("#extension-form", async (form) => {
    const answer = await call("POST", orgPath("/extensions"), formValues(form));
    if (answer.ok) { form.reset(); await loadList("/extensions", "#extensions", (e) => `${e.number} ${e.display_name}`, "number"); }
  });
  onSubmit("#admin-form", async (form) => {
    const answer = await call("POST", orgPath("/admins"), formValues(form));
    if (answer.ok) { form.reset(); await loadList("/admins", "#admins", (a) => a.email, "email"); }
  });
  $("#trunk-status").addEventListener("click", () => call("GET", orgPath("/trunks/outbound/status")));
  $("#show-changes").addEventListener("click", () => call("GET", orgPath("/changes")));
  $("#apply").addEventListener("click", async () => {
    const answer = await call("POST", orgPath("/apply"), {});
    const run = answer.ok ? answer.data : answer.data && answer.data.error && answer.data.error.detail && answer.data.error.detail.run;
    if (run) { renderRun(run); watchRun(); }
  });
  $("#stop").addEventListener("click", async () => {
    const answer = await call("POST", orgPath("/apply/stop"));
    if (answer.ok) renderRun(answer.data);
  });
  $("#discard").addEventListener("click", () => call("POST", orgPath("/discard")));
  $("#reload-orgs").addEventListener("click", loadOrgs);
  $("#clear-log").addEventListener("click", () => $("#log").replaceChildren());

}

wire();
