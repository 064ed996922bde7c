/* A section listing one kind's objects as cards (every field saved as it changes, a Delete button)
   with an add form below: what a new kind of call routing object needs on the page is a
   description ({kind, title, intro, rows, add, deleteText}), as sections/ringgroups.js shows; an
   optional ``status(ctx, kind, row)`` adds what the object is doing now to its card's header,
   ``body(ctx, kind, row)`` more below its fields (an upload), ``emptyLabels`` names an empty choice. */
import {el, listAll, replaceChildren} from "../../common.js";
import {showApplyError} from "../apply.js";
import {addForm, deleteButton, editors, prefixOf} from "../objects.js";

export function objectSection(spec) {
  const id = spec.kind;
  const section = {
    name: spec.kind,

    async load(ctx) {
      ctx.state[spec.kind] = await listAll(ctx.base + "/" + spec.kind);
    },

    mount(ctx) {
      const kind = ctx.kind(spec.kind);
      document.getElementById("routing").appendChild(
        el("section", {id: id, class: "card", "aria-labelledby": id + "-title"},
          el("h2", {id: id + "-title"}, spec.title),
          spec.intro ? el("p", {class: "muted"}, spec.intro) : null,
          el("div", {id: id + "-list"}, el("p", {class: "muted"}, "Loading…")),
          addForm(ctx, kind, spec.add, {id: "add-" + id, idPrefix: "new-" + id + "-", title: "Add a " + kind.label.toLowerCase(),
            button: "Add " + kind.label.toLowerCase(), added: function () { return ctx.reload(); }})));
    },

    render(ctx) {
      const box = document.getElementById(id + "-list");
      const rows = ctx.state[spec.kind];
      if (!rows.length) {
        replaceChildren(box, el("p", {class: "empty"}, spec.empty));
        return;
      }
      replaceChildren(box, rows.map(function (row) { return card(ctx, spec, row); }));
    },
  };
  if (spec.status) {
    // What is live changed: the status shown comes from the PBX.
    section.afterApply = async function (ctx) {
      await section.load(ctx);
      section.render(ctx);
    };
  }
  return section;
}

function card(ctx, spec, row) {
  const kind = ctx.kind(spec.kind);
  const key = row[kind.key];
  const prefix = prefixOf(spec.kind, key);
  const edit = editors(ctx, kind, row, spec.rows.flat(), {idPrefix: spec.kind, emptyLabels: spec.emptyLabels,
    refOptions: function (schema) { return objectOptions(ctx, schema["x-ref"]); }});
  const remove = deleteButton(ctx, kind, row, spec.deleteText, function () { return ctx.reload(); }, showApplyError);
  return el("article", {class: "object card-inner", id: prefix + "card", "data-container": "", "data-key": key,
    "aria-labelledby": prefix + "title"},
    el("header", {},
      el("h3", {id: prefix + "title"}, el("span", {class: "number"}, key), " ",
        kind.title_field ? el("span", {class: "muted"}, row[kind.title_field] || "") : null),
      spec.status ? spec.status(ctx, kind, row) : null,
      el("span", {class: "actions"}, remove)),
    spec.body ? spec.body(ctx, kind, row) : null,
    spec.rows.map(function (names) {
      return el("div", {class: "row"}, names.map(function (name) { return edit.fields[name]; }));
    }));
}

/* [key, label] of the organization's objects of a kind (a field naming one: x-ref). */
export function objectOptions(ctx, kindName) {
  const kind = ctx.kind(kindName);
  return (ctx.state[kindName] || []).map(function (row) {
    const title = kind.title_field && row[kind.title_field] ? " · " + row[kind.title_field] : "";
    return [row[kind.key], row[kind.key] + title];
  });
}
