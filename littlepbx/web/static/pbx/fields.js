/* Shared helpers of every section: a control made from a field's schema, its label and status,
   saving a change at once (the draft), errors shown next to their field, and confirmations. */
import {api, el} from "../common.js";
import {Schema} from "./schema.js";

/* The status line under an input ("Saving…", "Saved" or the API's words). */
export function setStatus(input, kind, text) {
  const status = document.getElementById(input.id + "-status");
  if (kind === "error") input.setAttribute("aria-invalid", "true");
  else input.removeAttribute("aria-invalid");
  if (!status) return;
  status.className = "status " + kind;
  status.textContent = text;
}

/* The API's message for field ``name``, or its general message. */
export function fieldMessage(error, name) {
  return (error.fields && error.fields[name]) || error.message;
}

/* Each of the API's field errors next to its field inside ``container``; the rest next to ``input``. */
export function showErrors(container, error, input) {
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

/* Run ``request`` for a change of ``input``: its status says how it went; ``ctx.changed`` refreshes
   the pending diff. Resolves to the request's result, or undefined when refused. */
export async function saveField(ctx, input, request) {
  setStatus(input, "saving", "Saving…");
  try {
    const result = await request();
    setStatus(input, "saved", "Saved");
    ctx.changed();
    return result;
  } catch (error) {
    showErrors(input.closest("[data-container]") || document.body, error, input);
    return undefined;
  }
}

/* Send the file chosen in ``input`` as multipart "file" by ``method`` to ``path``; its status line
   says how it went. Resolves to the API's answer, or undefined when nothing was chosen or refused. */
export async function uploadFile(input, method, path, missing) {
  if (!input.files.length) { setStatus(input, "error", missing); return undefined; }
  const data = new FormData();
  data.append("file", input.files[0]);
  setStatus(input, "saving", "Uploading and converting…");
  try {
    return await api(method, path, data);
  } catch (error) {
    setStatus(input, "error", fieldMessage(error, "file"));
    return undefined;
  }
}

/* A labelled field with its status line. */
export function field(id, label, control, extraClass) {
  control.id = id;
  return el("div", {class: "field" + (extraClass ? " " + extraClass : "")},
    control.type === "checkbox" ? [control, el("label", {for: id}, label)] : [el("label", {for: id}, label), control],
    el("span", {class: "status", id: id + "-status", "aria-live": "polite"}));
}

/* The input a field's schema calls for, showing ``value``: a checkbox, a select of its choices (or
   of ``refOptions`` for a reference), a number with its range, or text with its length and form. */
export function control(name, schema, value, refOptions) {
  if (schema.type === "boolean") return el("input", {name: name, type: "checkbox", checked: !!value});
  if (schema.enum || refOptions) {
    const options = refOptions || Schema.options(schema);
    const select = el("select", {name: name},
      schema.nullable && refOptions ? el("option", {value: ""}, "— none —") : null,
      options.map(function (pair) { return el("option", {value: pair[0], selected: pair[0] === value}, pair[1]); }));
    if (value && !options.some(function (pair) { return pair[0] === value; })) {
      select.appendChild(el("option", {value: value, selected: true}, value + " (deleted)"));
    }
    return select;
  }
  if (schema.type === "integer") {
    return el("input", {name: name, type: "number", min: schema.minimum, max: schema.maximum, step: 1,
      value: value === null || value === undefined ? "" : value});
  }
  const pattern = schema.pattern || "";
  const list = function (v) { return Array.isArray(v) ? v.join(", ") : v; };
  const attributes = {name: name, value: list(value) || "", autocomplete: "off",
    maxlength: schema.type === "array" ? null : schema.maxLength,
    placeholder: schema.example ? "e.g. " + list(schema.example) : null};
  if (schema.format === "email") attributes.type = "email";
  else if (/^\^\[0-9\]\{[0-9,]+\}\$$/.test(pattern)) attributes.inputmode = "numeric";
  else if (pattern.indexOf("[0-9]") >= 0 && pattern.indexOf("\\+") >= 0) attributes.inputmode = "tel";
  return el("input", attributes);
}

/* A destination (where a call goes): a choice among the organization's own objects of each kind
   the field allows (from ``ctx.state``), hang up, or an outside number typed in the text input.
   The text input carries the field's name and value; the choice fills it in. ``emptyLabel``
   names "no destination" where the field may have none; otherwise an empty one is typed in. */
export function destinationControl(ctx, name, schema, value, label, emptyLabel) {
  const allowed = schema["x-destination"] || [];
  const targets = (ctx.schema.targets || []).filter(function (t) { return allowed.indexOf(t.name) >= 0; });
  const input = el("input", {name: name, value: value || "", maxlength: schema.maxLength, autocomplete: "off",
    inputmode: "tel", placeholder: "e.g. +14155550100"});
  const options = [];
  if (schema.nullable && emptyLabel) options.push(["", emptyLabel]);
  targets.forEach(function (target) {
    if (target.name === "hangup") options.push(["hangup", "Hang up"]);
    else if (target.kind) targetOptions(ctx, target).forEach(function (pair) { options.push(pair); });
  });
  const outside = targets.some(function (t) { return t.name === "external"; });
  if (outside) options.push([OUTSIDE, "An outside number…"]);
  const known = options.some(function (pair) { return pair[0] === (value || ""); });
  const select = el("select", {"aria-label": label},
    options.map(function (pair) {
      return el("option", {value: pair[0], selected: known ? pair[0] === (value || "") : pair[0] === OUTSIDE}, pair[1]);
    }));
  if (!known && !outside && value) select.appendChild(el("option", {value: value, selected: true}, value + " (deleted)"));
  input.hidden = select.value !== OUTSIDE;
  select.addEventListener("change", function () {
    input.hidden = select.value !== OUTSIDE;
    if (select.value === OUTSIDE) { input.value = ""; input.focus(); return; }
    input.value = select.value;
    input.dispatchEvent(new Event("change"));
  });
  input.picker = select;
  return input;
}

const OUTSIDE = "__outside__";

/* Several destinations in order (a ring group's members): typed as one line, "101, 102, +1 415 555 0100",
   with a choice that adds one of the organization's own objects to the end. */
export function destinationListControl(ctx, name, schema, value, label) {
  const allowed = schema["x-destination"] || [];
  const input = el("input", {name: name, value: (value || []).join(", "), autocomplete: "off",
    placeholder: "e.g. 101, 102, +14155550100"});
  const options = [];
  (ctx.schema.targets || []).filter(function (t) { return allowed.indexOf(t.name) >= 0 && t.kind; })
    .forEach(function (target) { targetOptions(ctx, target).forEach(function (pair) { options.push(pair); }); });
  const select = el("select", {"aria-label": "Add to " + label.toLowerCase()},
    el("option", {value: ""}, "Add…"),
    options.map(function (pair) { return el("option", {value: pair[0]}, pair[1]); }));
  select.addEventListener("change", function () {
    const chosen = select.value;
    select.value = "";
    const items = listOf(input.value);
    if (!chosen || items.indexOf(chosen) >= 0) return;
    input.value = items.concat([chosen]).join(", ");
    input.dispatchEvent(new Event("change"));
  });
  input.picker = select;
  return input;
}

function listOf(text) {
  return text.split(/[,;\n]+/).map(function (item) { return item.trim(); }).filter(Boolean);
}

/* [value, label] pairs of a target kind's objects in the organization (loaded by their sections). */
function targetOptions(ctx, target) {
  const kind = ctx.kind(target.kind);
  const rows = (kind && ctx.state[target.kind]) || [];
  return rows.filter(function (row) { return target.name !== "voicemail" || row.voicemail_enabled; })
    .map(function (row) {
      const key = row[kind.key];
      const title = kind.title_field && row[kind.title_field] ? " · " + row[kind.title_field] : "";
      const what = target.name === "voicemail" ? "Voicemail of " + key : kind.label + " " + key;
      return [target.prefix + key, (target.name === "extension" ? key : what) + title];
    });
}

/* What a control holds, as the API wants it for this schema. */
export function valueOf(input, schema) {
  if (input.type === "checkbox") return input.checked;
  if (schema.type === "array") return listOf(input.value);
  const text = input.value.trim();
  if (schema.type === "integer") return /^-?\d+$/.test(text) ? parseInt(text, 10) : (text === "" ? null : text);
  if (text === "" && schema.nullable) return null;
  return input.tagName === "INPUT" ? text : input.value;
}

/* Ask in the page's <dialog>; resolves true when ``okLabel`` was chosen. */
export function confirmAction(title, text, okLabel) {
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
