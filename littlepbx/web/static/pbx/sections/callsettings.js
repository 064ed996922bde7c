/* Call settings, the organization's only one of them: where its parking slots are, and the
   announcement outside callers hear before a recorded call. Drafted like every other field. */
import {api, el, replaceChildren} from "../../common.js";
import {editors} from "../objects.js";
import {objectOptions} from "./objectlist.js";

export const callsettings = {
  name: "callsettings",

  async load(ctx) {
    ctx.state.callsettings = await api("GET", ctx.base + "/callsettings");
  },

  mount(ctx) {
    document.getElementById("routing").appendChild(
      el("section", {id: "callsettings", class: "card", "aria-labelledby": "callsettings-title"},
        el("h2", {id: "callsettings-title"}, "Call settings"),
        el("p", {class: "muted"}, "#77 parks a call in your own lot and says its slot; any of your phones " +
          "dials the slot to take it. Calls your configuration records can first tell outside callers so."),
        el("div", {id: "callsettings-fields"}, el("p", {class: "muted"}, "Loading…"))));
  },

  render(ctx) {
    const kind = ctx.kind("callsettings");
    const edit = editors(ctx, kind, ctx.state.callsettings, ["parking_first", "parking_slots", "recording_notice"], {
      refOptions: function (schema) { return objectOptions(ctx, schema["x-ref"]); }});
    replaceChildren(document.getElementById("callsettings-fields"),
      el("div", {class: "row"}, edit.fields.parking_first, edit.fields.parking_slots),
      el("div", {class: "row"}, edit.fields.recording_notice));
  },
};
