/* LittlePBX pages: the REST API client (session cookie + CSRF header), DOM and time helpers.
   An ES module: every page script imports what it uses from here. */
const API = "/api/v1";

function csrfToken() {
  const meta = document.querySelector('meta[name="csrf-token"]');
  return meta ? meta.content : "";
}

/* A page open longer than its CSRF token lives asks the API for a fresh one. */
async function renewCsrfToken() {
  const session = await api("GET", "/session");
  const meta = document.querySelector('meta[name="csrf-token"]');
  if (meta && session && session.csrf_token) meta.content = session.csrf_token;
}

/* Call the API; resolves to the JSON body, rejects with an Error carrying status, code and fields.
   A write refused because the page's CSRF token expired is sent once more with a fresh token. */
async function api(method, path, body) {
  try {
    return await request(method, path, body);
  } catch (error) {
    if (error.code !== "csrf" || method === "GET") throw error;
    await renewCsrfToken();
    return request(method, path, body);
  }
}

async function request(method, path, body) {
  const options = {method: method, credentials: "same-origin", headers: {"Accept": "application/json"}};
  if (method !== "GET" && method !== "HEAD") options.headers["X-CSRFToken"] = csrfToken();
  if (body instanceof FormData) {
    options.body = body;
  } else if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(API + path, options);
  } catch (networkError) {
    throw apiError(0, {code: "offline", message: "the server cannot be reached; check the connection"});
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try { data = JSON.parse(text); } catch (ignored) { data = null; }
  }
  if (!response.ok) {
    if (response.status === 401) {
      window.location.assign("/login?next=" + encodeURIComponent(window.location.pathname));
    }
    const error = (data && data.error) || {code: "http_" + response.status,
      message: response.status === 413 ? "the file is too large" : "the server answered " + response.status};
    throw apiError(response.status, error, data);
  }
  return data;
}

function apiError(status, error, body) {
  const result = new Error(error.message || "request failed");
  result.status = status;
  result.code = error.code;
  result.fields = error.fields || {};
  result.detail = error.detail;
  result.body = body;
  return result;
}

/* The rows of a list answer, whatever its envelope. */
function items(body) {
  if (Array.isArray(body)) return body;
  if (!body) return [];
  return body.items || body.data || body.results || [];
}

/* Every row of a paginated list (follows offset/limit until total is reached). */
async function listAll(path, limit) {
  limit = limit || 100;
  const rows = [];
  for (let offset = 0; ; offset += limit) {
    const separator = path.indexOf("?") >= 0 ? "&" : "?";
    const body = await api("GET", path + separator + "offset=" + offset + "&limit=" + limit);
    const page = items(body);
    rows.push.apply(rows, page);
    const total = body && typeof body.total === "number" ? body.total : null;
    if (page.length < limit || total === null || rows.length >= total) return rows;
  }
}

/* el("p", {class: "x", onclick: f}, "text", child) — text is always text, never HTML. */
function el(tag, attributes) {
  const node = document.createElement(tag);
  const attrs = attributes || {};
  Object.keys(attrs).forEach(function (name) {
    const value = attrs[name];
    if (value === null || value === undefined || value === false) return;
    if (name.slice(0, 2) === "on") node.addEventListener(name.slice(2), value);
    else if (name === "text") node.textContent = value;
    else if (value === true) node.setAttribute(name, "");
    else node.setAttribute(name, value);
  });
  for (let i = 2; i < arguments.length; i++) append(node, arguments[i]);
  return node;
}

function append(node, child) {
  if (child === null || child === undefined || child === false) return;
  if (Array.isArray(child)) { child.forEach(function (c) { append(node, c); }); return; }
  node.appendChild(typeof child === "string" || typeof child === "number"
    ? document.createTextNode(String(child)) : child);
}

function replaceChildren(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  for (let i = 1; i < arguments.length; i++) append(node, arguments[i]);
}

/* An ISO time from the API (UTC, "Z") shown in the organization's time zone. */
function formatTime(iso, timeZone, withDate) {
  if (!iso) return "";
  const moment = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : iso + "Z");
  const options = {timeZone: timeZone || "UTC", hour: "2-digit", minute: "2-digit", second: "2-digit"};
  if (withDate !== false) { options.year = "numeric"; options.month = "short"; options.day = "numeric"; }
  try {
    return new Intl.DateTimeFormat(undefined, options).format(moment);
  } catch (badZone) {
    return moment.toISOString();
  }
}

/* The calendar day (YYYY-MM-DD) of a moment in a time zone. */
function dayIn(moment, timeZone) {
  const parts = new Intl.DateTimeFormat("en-CA", {timeZone: timeZone || "UTC", year: "numeric",
    month: "2-digit", day: "2-digit"}).formatToParts(moment);
  const get = function (type) { return parts.find(function (p) { return p.type === type; }).value; };
  return get("year") + "-" + get("month") + "-" + get("day");
}

/* Copy text to the clipboard, with a fallback for browsers without the async API. */
async function copyText(text) {
  if (navigator.clipboard && window.isSecureContext) {
    try { await navigator.clipboard.writeText(text); return true; } catch (ignored) { /* fall back */ }
  }
  const area = el("textarea", {class: "offscreen", readonly: true});
  area.value = text;
  document.body.appendChild(area);
  area.select();
  const done = document.execCommand("copy");
  area.remove();
  return done;
}

export {api, items, listAll, el, replaceChildren, formatTime, dayIn, copyText};
