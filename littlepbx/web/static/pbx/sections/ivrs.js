/* Menus (IVR): the greeting callers hear, what each key does, and what happens when they press
   nothing or a wrong key. The greeting is an upload (MP3 or WAV), converted on the server. */
import {el, replaceChildren} from "../../common.js";
import {field, setStatus, uploadFile} from "../fields.js";
import {itemPath, prefixOf} from "../objects.js";
import {objectSection} from "./objectlist.js";

const KEYPAD = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["star", "0", "hash"]];

export const ivrs = objectSection({
  kind: "ivrs",
  title: "Menus",
  intro: "What callers hear and what each key does: \"press 1 for sales\". Send a phone number or your " +
         "business hours here.",
  empty: "No menus yet.",
  rows: [["title"]].concat(KEYPAD.map(function (row) { return row.map(function (key) { return "option_" + key; }); }),
    [["direct_dial", "timeout_seconds", "repeats"], ["timeout_destination", "invalid_destination"]]),
  emptyLabels: Object.fromEntries(KEYPAD.flat().map(function (key) { return ["option_" + key, "— nothing —"]; })),
  add: ["name", "title"],
  deleteText: "Phone numbers that go to it will ring nobody until you choose another destination. " +
              "Nothing changes on the phones until Apply.",
  body: greetingControls,
});

/* The greeting: what is uploaded (with a player) and a form to upload another. */
function greetingControls(ctx, kind, row) {
  const prefix = prefixOf(kind.name, row[kind.key]);
  const current = el("div", {class: "greeting", id: prefix + "greeting"});
  const file = el("input", {type: "file", name: "file", accept: "audio/mpeg,audio/wav,.mp3,.wav"});
  const draw = function () {
    replaceChildren(current, row.greeting_sha256
      ? [el("p", {}, "Greeting: ", el("strong", {}, row.greeting_name || "uploaded")),
         el("audio", {controls: true, preload: "none",
           src: "/api/v1" + itemPath(ctx, kind, row) + "/greeting/audio?v=" + encodeURIComponent(row.greeting_sha256)},
           "Your browser cannot play the greeting here.")]
      : el("p", {class: "muted"}, "No greeting uploaded: callers hear \"Please enter the number you wish to call\"."));
  };
  const form = el("form", {class: "row", novalidate: true},
    field(prefix + "greeting-file", "Greeting (MP3 or WAV)", file),
    el("div", {class: "field"}, el("button", {type: "submit"}, "Upload greeting")));
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const answer = await uploadFile(file, "PUT", itemPath(ctx, kind, row) + "/greeting", "choose an MP3 or WAV file first");
    if (!answer) return;
    Object.assign(row, answer);
    setStatus(file, "saved", "Uploaded: heard after Apply");
    form.reset();
    draw();
    ctx.changed();
  });
  draw();
  return el("div", {}, current, form);
}
