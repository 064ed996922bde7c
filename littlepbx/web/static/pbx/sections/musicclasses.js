/* Music classes: named lists of music files (MP3 or WAV, converted on the server) that a queue or a
   ring group plays to its callers instead of the organization's music on hold. */
import {api, el, replaceChildren} from "../../common.js";
import {field, setStatus, uploadFile} from "../fields.js";
import {itemPath, prefixOf} from "../objects.js";
import {objectSection} from "./objectlist.js";

export const musicclasses = objectSection({
  kind: "musicclasses",
  title: "Music classes",
  intro: "Music for a queue or a ring group, other than your music on hold: one or more files, in order or shuffled.",
  empty: "No music classes yet.",
  rows: [["title", "shuffle"]],
  add: ["name", "title"],
  deleteText: "Queues and ring groups playing it play your music on hold instead. Nothing changes on the phones " +
              "until Apply.",
  body: fileList,
});

/* The class's files, each with a player and a Remove button, and a form adding one. */
function fileList(ctx, kind, row) {
  const prefix = prefixOf(kind.name, row[kind.key]);
  const list = el("ol", {class: "files", id: prefix + "files"});
  const file = el("input", {type: "file", name: "file", accept: "audio/mpeg,audio/wav,.mp3,.wav"});
  const draw = function () {
    replaceChildren(list, (row.files || []).length ? row.files.map(function (digest, index) {
      const remove = el("button", {type: "button", class: "danger"}, "Remove");
      remove.addEventListener("click", async function () {
        try {
          Object.assign(row, await api("DELETE", itemPath(ctx, kind, row) + "/files/" + digest));
        } catch (error) {
          setStatus(file, "error", error.message);
          return;
        }
        draw();
        ctx.changed();
      });
      return el("li", {}, el("span", {}, row.file_names[index] || digest.slice(0, 12)), " ",
        el("audio", {controls: true, preload: "none", src: "/api/v1" + itemPath(ctx, kind, row) + "/files/" + digest + "/audio"}),
        " ", remove);
    }) : el("li", {class: "muted"}, "No files yet: add one below."));
  };
  const form = el("form", {class: "row", novalidate: true},
    field(prefix + "file", "Add a file (MP3 or WAV)", file),
    el("div", {class: "field"}, el("button", {type: "submit"}, "Add file")));
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    const answer = await uploadFile(file, "POST", itemPath(ctx, kind, row) + "/files", "choose an MP3 or WAV file first");
    if (!answer) return;
    Object.assign(row, answer);
    setStatus(file, "saved", "Added: heard after Apply");
    form.reset();
    draw();
    ctx.changed();
  });
  draw();
  return el("div", {}, list, form);
}
