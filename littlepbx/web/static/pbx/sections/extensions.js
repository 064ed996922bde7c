/* The organization's extensions: one card each, every field saved as it changes, SIP settings on
   demand, and the add form. Labels, limits and choices are the API's (ExtensionPatch/Create). */
import {api, copyText, el, listAll, replaceChildren} from "../../common.js";
import {showApplyError} from "../apply.js";
import {confirmAction, field, fieldMessage, setStatus} from "../fields.js";
import {addForm, deleteButton, editors, itemPath, prefixOf} from "../objects.js";
import {objectOptions} from "./objectlist.js";

const EDITED = [["display_name", "ring_seconds", "no_answer", "forward_to"], ["when_busy", "when_unregistered"],
                ["follow_me", "follow_me_order", "follow_me_confirm"],
                ["voicemail_enabled", "voicemail_pin", "voicemail_email"], ["outside_calls", "outbound_caller_id", "record_calls", "sip_transport"]];

export const extensions = {
  name: "extensions",

  async load(ctx) {
    ctx.state.extensions = await listAll(ctx.base + "/extensions");
  },

  mount(ctx) {
    const kind = ctx.kind("extensions");
    document.getElementById("extensions").appendChild(addForm(ctx, kind, ["number", "display_name"], {
      id: "add-extension", idPrefix: "new-", title: "Add an extension", button: "Add extension",
      added: function () { return ctx.reload(); }}));
  },

  render(ctx) {
    const box = document.getElementById("extension-list");
    if (!ctx.state.extensions.length) {
      replaceChildren(box, el("p", {class: "empty", id: "no-extensions"}, "No extensions yet: add the first one below."));
      return;
    }
    replaceChildren(box, ctx.state.extensions.map(function (ext) { return card(ctx, ext); }));
  },
};

/* Forwarding needs a number: choosing "forward" waits for it, and a number given while forwarding
   is chosen saves both. */
function callFlowChanges(name, value, controls, forwardField) {
  if (name === "no_answer") {
    forwardField.hidden = value !== "forward";
    if (value === "forward" && !controls.forward_to.value.trim()) {
      setStatus(controls.no_answer, "pending", "Enter the number to forward to, then it is saved");
      controls.forward_to.focus();
      return null;
    }
    return value === "forward" ? {no_answer: value, forward_to: controls.forward_to.value.trim()} : {no_answer: value};
  }
  if (name === "forward_to" && controls.no_answer.value === "forward") return {forward_to: value, no_answer: "forward"};
  return {[name]: value};
}

function card(ctx, ext) {
  const kind = ctx.kind("extensions");
  const prefix = prefixOf("ext", ext.number);
  let forwardField = null;
  const edit = editors(ctx, kind, ext, EDITED.flat(), {
    idPrefix: "ext",
    refOptions: function (schema) { return objectOptions(ctx, schema["x-ref"]); },
    changes: function (name, value, controls) { return callFlowChanges(name, value, controls, forwardField); },
    saved: function (name, controls) {
      if (name === "forward_to" && controls.no_answer.value === "forward") setStatus(controls.no_answer, "saved", "Saved");
    },
  });
  forwardField = edit.fields.forward_to;
  forwardField.hidden = ext.no_answer !== "forward";

  const sipBox = el("div", {class: "sip", id: prefix + "sip", hidden: true});
  const sipButton = el("button", {type: "button", "aria-expanded": "false", "aria-controls": prefix + "sip"},
    "Show SIP settings");
  sipButton.addEventListener("click", function () { toggleSip(ctx, ext, sipButton, sipBox); });
  const remove = deleteButton(ctx, kind, ext,
    "Numbers that ring it will ring nobody until you choose another extension. Nothing changes on the phones until Apply.",
    async function () {
      await ctx.reload();
      document.getElementById("new-number").focus();
    }, showApplyError);

  return el("article", {class: "ext card-inner", id: prefix + "card", "data-container": "",
    "data-number": ext.number, "aria-labelledby": prefix + "title"},
    el("header", {},
      el("h3", {id: prefix + "title"}, el("span", {class: "number"}, ext.number), " ",
        el("span", {class: "ext-name"}, ext.display_name || "")),
      registrationBadge(ext),
      el("span", {class: "actions"}, sipButton, remove)),
    EDITED.map(function (row) {
      return el("div", {class: "row"}, row.map(function (name) { return edit.fields[name]; }));
    }),
    phoneSwitches(ctx, kind, ext, prefix),
    sipBox);
}

/* Do not disturb and the forwards: the phone's user switches them with *78/*79, *72<number>/*73
   (every call), *90<number>/*91 (when busy) and *52<number>/*53 (when unanswered); here they show,
   and change at once (no Apply). Only once the extension is live. */
const FORWARDS = [
  ["forward_to", "forward_all", "Forward every call to (the phone: *72 and the number, *73 to stop)"],
  ["forward_busy", "forward_busy", "Forward when busy to (the phone: *90 and the number, *91 to stop)"],
  ["forward_unanswered", "forward_unanswered",
   "Forward when unanswered or on do not disturb to (the phone: *52 and the number, *53 to stop)"]];

function phoneSwitches(ctx, kind, ext, prefix) {
  if (typeof ext.dnd !== "boolean") return null;
  const box = el("div", {class: "row switches", id: prefix + "switches"});
  const draw = function () {
    const dnd = el("input", {type: "checkbox", checked: ext.dnd});
    const inputs = FORWARDS.map(function (forward) {
      return el("input", {type: "text", inputmode: "tel", value: ext[forward[1]] || "", maxlength: 16,
        placeholder: "e.g. 102 or +14155550100"});
    });
    const save = async function (control, name) {
      setStatus(control, "saving", "Saving…");
      const state = {dnd: dnd.checked};
      FORWARDS.forEach(function (forward, index) { state[forward[0]] = inputs[index].value.trim() || null; });
      try {
        const answer = await api("PUT", itemPath(ctx, kind, ext) + "/state", state);
        ext.dnd = answer.dnd;
        FORWARDS.forEach(function (forward) { ext[forward[1]] = answer[forward[0]]; });
        draw();
        setStatus(document.getElementById(control.id), "saved", "Live now");
      } catch (error) {
        setStatus(control, "error", fieldMessage(error, name));
      }
    };
    dnd.addEventListener("change", function () { save(dnd, "dnd"); });
    inputs.forEach(function (input, index) {
      input.addEventListener("change", function () { save(input, FORWARDS[index][0]); });
    });
    replaceChildren(box, field(prefix + "dnd", "Do not disturb (the phone: *78 on, *79 off)", dnd, "check"),
      ...FORWARDS.map(function (forward, index) { return field(prefix + forward[1], forward[2], inputs[index]); }));
  };
  draw();
  return box;
}

function registrationBadge(ext) {
  if (typeof ext.registered !== "boolean") return null;
  return el("span", {class: "badge " + (ext.registered ? "ok" : "off")},
    ext.registered ? "phone registered" : "phone not registered");
}

async function toggleSip(ctx, ext, button, box) {
  const opening = box.hidden;
  box.hidden = !opening;
  button.setAttribute("aria-expanded", String(opening));
  button.textContent = opening ? "Hide SIP settings" : "Show SIP settings";
  if (opening) await loadSip(ctx, ext, box);
  else replaceChildren(box);
}

async function loadSip(ctx, ext, box) {
  const kind = ctx.kind("extensions");
  replaceChildren(box, el("p", {class: "muted"}, "Loading…"));
  let sip;
  try {
    sip = await api("GET", itemPath(ctx, kind, ext) + "/sip");
  } catch (error) {
    replaceChildren(box, el("p", {class: "error", role: "alert"}, error.message));
    return;
  }
  const prefix = prefixOf("ext", ext.number) + "sip-";
  const copyStatus = el("span", {class: "status", id: prefix + "copy-status", "aria-live": "polite"});
  const copy = el("button", {type: "button"}, "Copy password");
  copy.addEventListener("click", async function () {
    copyStatus.textContent = (await copyText(sip.password)) ? "Copied" : "Select the password and copy it";
  });
  const regenerate = el("button", {type: "button", class: "danger"}, "Regenerate password");
  regenerate.addEventListener("click", async function () {
    const ok = await confirmAction("Regenerate the SIP password of " + ext.number + "?",
      "The phone keeps working with the old password until the next Apply; then it must be given the new one.",
      "Regenerate");
    if (!ok) return;
    try {
      await api("POST", itemPath(ctx, kind, ext) + "/sip/regenerate");
    } catch (error) {
      copyStatus.textContent = error.message;
      return;
    }
    ctx.changed();
    await loadSip(ctx, ext, box);
  });
  const row = function (label, value, id) {
    return [el("dt", {}, label), el("dd", {}, el("code", {id: id ? prefix + id : null}, String(value)))];
  };
  replaceChildren(box,
    el("dl", {class: "sipsettings"},
      row("Server", sip.server, "server"), row("Port", sip.port, "port"),
      row("Transport", String(sip.transport || "").toUpperCase(), "transport"),
      row("User name", sip.username, "username"),
      sip.auth_username && sip.auth_username !== sip.username ? row("Auth user name", sip.auth_username) : null,
      row("Password", sip.password, "password")),
    sip.live === false ? el("p", {class: "note"}, "These settings become active on the phone line after the next Apply.") : null,
    sip.transport === "tls" ? el("p", {class: "note"}, "Turn on SRTP (audio encryption) in the phone too: calls without it are refused.") : null,
    el("div", {class: "buttons"}, copy, regenerate, copyStatus),
    el("p", {class: "muted"}, el("a", {href: "/orgs/" + encodeURIComponent(ctx.code) + "/help/phones"},
      "How to enter these in your phone")));
}
