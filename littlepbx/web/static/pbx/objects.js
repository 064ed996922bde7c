/* Lists of one kind's objects: each object's fields edited in place and saved the moment they
   change, an add form made from the kind's create schema, and deletion after a confirmation. */
import {api, el} from "../common.js";
import {confirmAction, control, destinationControl, destinationListControl, field, saveField, setStatus,
        showErrors, valueOf} from "./fields.js";

/* The id prefix of one object's controls: "ext-101-", "did-14155550100-". */
export function prefixOf(idPrefix, key) {
  if (key === undefined || key === null) return idPrefix + "-";  // the organization's only one
  return idPrefix + "-" + String(key).replace(/\W/g, "") + "-";
}

/* Controls for ``names`` of ``row`` (an object of ``kind``), each saved at once when it changes.
   ``changes(name, value)`` may widen what is sent; ``refOptions(schema)`` lists a reference's choices.
   Returns {controls, fields} keyed by field name. */
export function editors(ctx, kind, row, names, hooks) {
  hooks = hooks || {};
  const component = kind.schema + "Patch";
  const prefix = prefixOf(hooks.idPrefix || kind.name, row[kind.key]);
  const controls = {}, fields = {};
  names.forEach(function (name) {
    const schema = ctx.schema.field(component, name);
    const label = (hooks.labels && hooks.labels[name]) || schema.title || name;
    const options = schema["x-ref"] && hooks.refOptions ? hooks.refOptions(schema) : null;
    let input;
    if (schema.type === "array" && schema["x-destination"]) input = destinationListControl(ctx, name, schema, row[name], label);
    else if (schema["x-destination"]) {
      input = destinationControl(ctx, name, schema, row[name], label, hooks.emptyLabels && hooks.emptyLabels[name]);
    } else input = control(name, schema, row[name], options);
    controls[name] = input;
    fields[name] = field(prefix + name, label, input, input.type === "checkbox" ? "check" : null);
    if (input.picker) input.parentNode.insertBefore(input.picker, input);
    input.addEventListener("change", function () {
      const value = valueOf(input, schema);
      const changes = hooks.changes ? hooks.changes(name, value, controls) : {[name]: value};
      if (!changes) return;
      saveField(ctx, input, function () {
        return api("PATCH", itemPath(ctx, kind, row), changes).then(function (updated) {
          Object.assign(row, changes, updated && (!kind.key || updated[kind.key]) ? updated : {});
          if (hooks.saved) hooks.saved(name, controls);
        });
      });
    });
  });
  return {controls: controls, fields: fields};
}

/* The API path of one object. */
export function itemPath(ctx, kind, row) {
  if (!kind.key) return ctx.base + "/" + kind.name;  // a singleton
  return ctx.base + "/" + kind.name + "/" + encodeURIComponent(row[kind.key]);
}

/* The add form of a kind: one input per field named, labelled from the create schema; on success the
   form is cleared, ``added(data)`` runs and the first input has the focus again. */
export function addForm(ctx, kind, names, options) {
  const component = kind.schema + "Create";
  const inputs = names.map(function (name) {
    const schema = ctx.schema.field(component, name);
    const input = control(name, schema, "");
    input.id = options.idPrefix + name;
    input.required = (ctx.schema.schemas[component].required || []).indexOf(name) >= 0;
    return {name: name, schema: schema, input: input};
  });
  const problem = el("p", {class: "error", id: options.id + "-error", role: "alert", hidden: true});
  const form = el("form", {id: options.id, class: "add", novalidate: true},
    el("h3", {}, options.title),
    el("div", {class: "row"}, inputs.map(function (item) {
      return field(item.input.id, ctx.schema.label(component, item.name), item.input);
    }), el("div", {class: "field"}, el("button", {type: "submit", class: "primary", id: options.id + "-button"},
      options.button))),
    problem);
  form.addEventListener("submit", async function (event) {
    event.preventDefault();
    inputs.forEach(function (item) { setStatus(item.input, "", ""); });
    problem.hidden = true;
    const data = {};
    inputs.forEach(function (item) {
      const value = valueOf(item.input, item.schema);
      if (value !== null && value !== "") data[item.name] = value;
    });
    try {
      await api("POST", ctx.base + "/" + kind.name, data);
    } catch (error) {
      const known = Object.keys(error.fields || {}).filter(function (f) { return names.indexOf(f) >= 0; });
      if (known.length) showErrors(form, error, null);
      else { problem.textContent = error.message; problem.hidden = false; }
      return;
    }
    form.reset();
    await options.added(data);
    setStatus(inputs[0].input, "saved", kind.label + " " + data[kind.key] + " added");
    // Ready for the next one, unless the admin has meanwhile started on something else (the new card).
    const focused = document.activeElement;
    if (!focused || focused === document.body || form.contains(focused)) inputs[0].input.focus();
  });
  return form;
}

/* A Delete button: asks first, then deletes and runs ``deleted()``; a refusal is shown by ``failed``. */
export function deleteButton(ctx, kind, row, text, deleted, failed) {
  const button = el("button", {type: "button", class: "danger"}, "Delete");
  button.addEventListener("click", async function () {
    if (!(await confirmAction("Delete " + kind.label.toLowerCase() + " " + row[kind.key] + "?", text, "Delete"))) return;
    try {
      await api("DELETE", itemPath(ctx, kind, row));
    } catch (error) {
      failed(error.message);
      return;
    }
    await deleted();
  });
  return button;
}
