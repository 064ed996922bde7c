/* The pending changes: the draft against the live configuration, in words built from the kinds'
   labels (x-kinds) and their fields' labels. */
import {api, el, replaceChildren} from "../common.js";
import {inSentence} from "./schema.js";

/* "Extension 100 (Reception)", "Trunk inbound", "Music on hold". */
function describe(kind, row) {
  let text = kind.label;
  if (kind.key && row[kind.key] !== undefined) text += " " + row[kind.key];
  if (kind.title_field && row[kind.title_field]) text += " (" + row[kind.title_field] + ")";
  return text;
}

function shown(schema, value) {
  if (value === null || value === undefined || value === "") return "none";
  if (value === true) return "on";
  if (value === false) return "off";
  if (Array.isArray(value)) return value.length ? value.map(function (v) { return shown(schema, v); }).join(", ") : "none";
  return destinationWords(schema, String(value));
}

/* A destination in words: "ringgroup:600" is "ring group 600", "voicemail:101" "mailbox 101". */
function destinationWords(schema, value) {
  if (value === "hangup") return "hang up";
  const target = (schema.targets || []).find(function (t) { return t.prefix && value.indexOf(t.prefix) === 0; });
  if (!target) return value;
  const noun = target.name === "voicemail" ? "mailbox" : target.label.replace(/^(a|an) /, "");
  return noun + " " + value.slice(target.prefix.length);
}

/* One line per added, changed or removed object. */
export function diffLines(schema, diff) {
  const lines = [];
  schema.kinds.forEach(function (kind) {
    const section = diff && diff[kind.section];
    if (!section) return;
    (section.added || []).forEach(function (row) { lines.push({kind: "added", text: describe(kind, row) + " added"}); });
    (section.changed || []).forEach(function (change) {
      const names = Object.keys(change.fields).filter(function (f) {
        return !(f === "sha256" && change.fields.original_name);  // a new upload names its file already
      });
      const fields = names.map(function (f) {
        const c = change.fields[f];
        return inSentence(kind.labels[f] || f) + " " + shown(schema, c.from) + " → " + shown(schema, c.to);
      });
      lines.push({kind: "changed", text: describe(kind, change.key) + ": " + fields.join("; ")});
    });
    (section.removed || []).forEach(function (row) { lines.push({kind: "removed", text: describe(kind, row) + " removed"}); });
  });
  return lines;
}

/* Ask for the diff and show it: "N changes not applied yet" and the list. */
export async function refreshChanges(ctx) {
  const pending = document.getElementById("pending");
  let diff;
  try {
    diff = await api("GET", ctx.base + "/changes");
  } catch (error) {
    pending.textContent = "Cannot tell what is pending: " + error.message;
    return;
  }
  const lines = diffLines(ctx.schema, diff);
  pending.classList.toggle("has-changes", lines.length > 0);
  pending.textContent = lines.length
    ? (lines.length === 1 ? "1 change" : lines.length + " changes") + " not applied yet"
    : "No pending changes: the PBX runs what you see.";
  document.getElementById("diff").hidden = lines.length === 0;
  replaceChildren(document.getElementById("diff-list"), lines.map(function (line) {
    return el("li", {class: line.kind}, line.text);
  }));
}
