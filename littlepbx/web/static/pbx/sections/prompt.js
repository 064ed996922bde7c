/* A card's recorded prompt (a menu's greeting, an announcement's recording): what is uploaded, with
   a player, and a form to upload another (MP3 or WAV, converted on the server; heard after Apply). */
import {el, replaceChildren} from "../../common.js";
import {field, setStatus, uploadFile} from "../fields.js";
import {itemPath, prefixOf} from "../objects.js";

/* ``word``: "greeting" or "recording" (its URL and the fields <word>_name, <word>_sha256). */
export function promptBody(word, label, emptyText) {
  return function (ctx, kind, row) {
    const prefix = prefixOf(kind.name, row[kind.key]);
    const path = function () { return itemPath(ctx, kind, row) + "/" + word; };
    const current = el("div", {class: "greeting", id: prefix + word});
    const file = el("input", {type: "file", name: "file", accept: "audio/mpeg,audio/wav,.mp3,.wav"});
    const draw = function () {
      const digest = row[word + "_sha256"];
      replaceChildren(current, digest
        ? [el("p", {}, label + ": ", el("strong", {}, row[word + "_name"] || "uploaded")),
           el("audio", {controls: true, preload: "none", src: "/api/v1" + path() + "/audio?v=" + encodeURIComponent(digest)},
             "Your browser cannot play it here.")]
        : el("p", {class: "muted"}, emptyText));
    };
    const form = el("form", {class: "row", novalidate: true},
      field(prefix + word + "-file", label + " (MP3 or WAV)", file),
      el("div", {class: "field"}, el("button", {type: "submit"}, "Upload " + word)));
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const answer = await uploadFile(file, "PUT", path(), "choose an MP3 or WAV file first");
      if (!answer) return;
      Object.assign(row, answer);
      setStatus(file, "saved", "Uploaded: heard after Apply");
      form.reset();
      draw();
      ctx.changed();
    });
    draw();
    return el("div", {}, current, form);
  };
}
