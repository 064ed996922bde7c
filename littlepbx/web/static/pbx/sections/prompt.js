/* A card's recorded prompt (a menu's greeting, an announcement's recording): what is uploaded, with
   a player, a form to upload another (MP3 or WAV, converted on the server; heard after Apply), and
   a choice among the recordings made on the organization's phones (*47). */
import {api, el, formatTime, replaceChildren} from "../../common.js";
import {field, fieldMessage, setStatus, uploadFile} from "../fields.js";
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
    return el("div", {}, current, form, phoneRecordings(ctx, prefix + word, path, function (answer) {
      Object.assign(row, answer);
      draw();
      ctx.changed();
    }));
  };
}

/* A recording made on a phone (*47), chosen and played here, then used as the prompt at ``path()``. */
function phoneRecordings(ctx, id, path, used) {
  const select = el("select", {name: "phone_recording"});
  const player = el("audio", {controls: true, preload: "none", hidden: true});
  const fill = function (items) {
    const kept = select.value;
    replaceChildren(select,
      el("option", {value: ""}, items.length ? "— choose a recording —" : "none yet: dial *47 on a phone"),
      items.map(function (item) {
        return el("option", {value: item.id, selected: item.id === kept},
          "Extension " + item.extension + ", " + formatTime(item.recorded_at, ctx.timeZone, true) +
          " (" + item.seconds + " s)");
      }));
  };
  fill([]);
  // Recordings arrive from phones at any time: the list is asked for when it is opened.
  select.addEventListener("focus", async function () {
    try { fill((await api("GET", ctx.base + "/phone-recordings")).items); } catch (error) { setStatus(select, "error", error.message); }
  });
  select.addEventListener("change", function () {
    player.hidden = !select.value;
    if (select.value) player.src = "/api/v1" + ctx.base + "/phone-recordings/" + encodeURIComponent(select.value) + "/audio";
  });
  const button = el("button", {type: "button"}, "Use recording");
  button.addEventListener("click", async function () {
    if (!select.value) { setStatus(select, "error", "choose a recording first"); return; }
    setStatus(select, "saving", "Converting…");
    try {
      used(await api("PUT", path(), {phone_recording: select.value}));
    } catch (error) {
      setStatus(select, "error", fieldMessage(error, "phone_recording"));
      return;
    }
    setStatus(select, "saved", "Used: heard after Apply");
  });
  return el("div", {class: "row"}, field(id + "-phone", "Or a recording made on a phone", select),
    el("div", {class: "field"}, button), player);
}
