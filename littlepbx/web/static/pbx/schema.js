/* The API's own description of every field (the OpenAPI document), so the page never repeats a
   label, a limit or a list of choices: they are the server's declarations. */
import {api} from "../common.js";

let loading = null;

/* The document, fetched once per page. */
export function loadDocument() {
  loading = loading || api("GET", "/openapi.json");
  return loading;
}

export class Schema {
  constructor(doc) {
    this.schemas = doc.components.schemas;
    this.kinds = doc["x-kinds"] || [];
    this.targets = doc["x-targets"] || [];
  }

  /* The properties of a component ("ExtensionPatch"), {} when it has none. */
  properties(component) {
    return (this.schemas[component] && this.schemas[component].properties) || {};
  }

  /* One field's schema in a component, falling back to the kind's answer schema. */
  field(component, name) {
    const own = this.properties(component)[name];
    return own || this.properties(component.replace(/(Create|Patch|Put)$/, ""))[name] || {};
  }

  /* The field's label ("Ring for (seconds)"); its name when the document has none. */
  label(component, name) {
    return this.field(component, name).title || name;
  }

  /* The kind described by x-kinds whose diff section is ``section`` (e.g. "music_on_hold"). */
  kindOfSection(section) {
    return this.kinds.find(function (kind) { return kind.section === section; });
  }

  /* [value, label] pairs of an enum schema (x-labels name them). */
  static options(schema) {
    const labels = schema["x-labels"] || schema.enum;
    return (schema.enum || []).map(function (value, i) { return [value, labels[i]]; });
  }
}

/* A label inside a sentence: "Name" -> "name", but "SIP password" stays. */
export function inSentence(label) {
  return /^[A-Z][A-Z]/.test(label) ? label : label.charAt(0).toLowerCase() + label.slice(1);
}
