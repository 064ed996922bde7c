/* Music on hold: on or off, and what plays: the organization's own music (an MP3, converted on the
   server) or one of its music classes (also what queues and ring groups without one play). */
import {api, el, replaceChildren} from "../../common.js";
import {saveField, setStatus, uploadFile} from "../fields.js";

function mohOf(body) {
  return body && body.moh ? body.moh : body;
}

export const moh = {
  name: "moh",

  async load(ctx) {
    ctx.state.moh = mohOf(await api("GET", ctx.base + "/moh"));
  },

  mount(ctx) {
    const checkbox = document.getElementById("moh-enabled");
    checkbox.addEventListener("change", function () {
      saveField(ctx, checkbox, function () {
        return api("PUT", ctx.base + "/moh", {enabled: checkbox.checked}).then(function (body) {
          if (body) ctx.state.moh = mohOf(body);
        });
      }).then(function (result) {
        if (result === undefined && checkbox.getAttribute("aria-invalid")) checkbox.checked = !checkbox.checked;
      });
    });
    const select = document.getElementById("moh-class");
    // Classes come and go in their own section: the choices are drawn again when the list opens.
    select.addEventListener("focus", function () { drawClasses(ctx); });
    select.addEventListener("change", function () {
      saveField(ctx, select, function () {
        return api("PUT", ctx.base + "/moh", {music_class: select.value || null}).then(function (body) {
          if (body) ctx.state.moh = mohOf(body);
        });
      }).then(function () { drawClasses(ctx); });
    });
    const form = document.getElementById("moh-upload"), file = document.getElementById("moh-file");
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      const answer = await uploadFile(file, "PUT", ctx.base + "/moh", "choose an MP3 file first");
      if (!answer) return;
      ctx.state.moh = mohOf(answer);
      setStatus(file, "saved", "Uploaded");
      form.reset();
      moh.render(ctx);
      ctx.changed();
    });
  },

  render(ctx) {
    const current = ctx.state.moh || {};
    document.getElementById("moh-enabled").checked = !!current.enabled;
    drawClasses(ctx);
    const box = document.getElementById("moh-current");
    if (!current.has_file) {
      replaceChildren(box, el("p", {class: "empty", id: "moh-empty"},
        "No music uploaded yet: callers on hold hear the PBX's default music. Upload an MP3 to use your own."));
      return;
    }
    replaceChildren(box,
      el("p", {id: "moh-name"}, "Uploaded: ", el("strong", {}, current.original_name || "music")),
      el("audio", {controls: true, preload: "none", id: "moh-player",
        src: "/api/v1" + ctx.base + "/moh/audio?v=" + encodeURIComponent(current.sha256 || "")},
        "Your browser cannot play the music here."));
  },
};

/* The choices of what callers on hold hear, the current one selected. */
function drawClasses(ctx) {
  const select = document.getElementById("moh-class"), chosen = (ctx.state.moh || {}).music_class || "";
  const classes = (ctx.state.musicclasses || []).map(function (row) {
    return [row.name, "Music class " + row.name + (row.title ? " · " + row.title : "")];
  });
  if (chosen && !classes.some(function (pair) { return pair[0] === chosen; })) classes.push([chosen, chosen + " (deleted)"]);
  replaceChildren(select, [["", "The uploaded music"]].concat(classes).map(function (pair) {
    return el("option", {value: pair[0], selected: pair[0] === chosen}, pair[1]);
  }));
}
