/* The organization's phone numbers: where each one's calls go (a destination of its own), and
   the calls arriving on each now. */
import {api, el, items, listAll, replaceChildren} from "../../common.js";
import {editors} from "../objects.js";

export const dids = {
  name: "dids",

  async load(ctx) {
    ctx.state.dids = await listAll(ctx.base + "/dids");
  },

  render(ctx) {
    const box = document.getElementById("did-list");
    if (!ctx.state.dids.length) {
      replaceChildren(box, el("p", {class: "empty"},
        "No phone numbers yet: your provider assigns them to your organization, then they appear here."), callsLine(ctx));
      return;
    }
    const rows = ctx.state.dids.map(function (did) { return row(ctx, did); });
    replaceChildren(box,
      el("table", {class: "dids"},
        el("thead", {}, el("tr", {}, el("th", {scope: "col"}, "Number"),
          el("th", {scope: "col"}, ctx.schema.label("DidPatch", "destination")),
          el("th", {scope: "col"}, ctx.schema.label("DidPatch", "record_calls")), el("th", {scope: "col"}, "Calls arriving"))),
        el("tbody", {}, rows)),
      callsLine(ctx));
  },

  /* The organization's calls now, in total and per number (the cells are replaced in place). */
  async pollCalls(ctx) {
    try {
      const body = await api("GET", ctx.base + "/calls");
      ctx.state.calls = typeof body.active_calls === "number" ? body.active_calls : items(body).length;
      ctx.state.didCalls = body.dids || null;
    } catch (error) {
      ctx.state.calls = null;
      ctx.state.didCalls = null;
    }
    const line = document.getElementById("calls-now");
    if (line) line.replaceWith(callsLine(ctx));
    document.querySelectorAll("td[data-did-calls]").forEach(function (cell) {
      cell.replaceWith(callsCell(ctx, cell.getAttribute("data-did-calls")));
    });
  },
};

function row(ctx, did) {
  const edit = editors(ctx, ctx.kind("dids"), did, ["destination", "record_calls"],
    {idPrefix: "did", emptyLabels: {destination: "— nobody (calls are refused) —"}});
  edit.controls.destination.picker.dataset.did = did.number;
  edit.fields.destination.classList.add("inline");
  return el("tr", {"data-container": "", "data-did": did.number},
    el("th", {scope: "row"}, el("span", {class: "number"}, did.number),
      did.description ? el("span", {class: "muted"}, " " + did.description) : null),
    el("td", {}, edit.fields.destination),
    el("td", {}, edit.fields.record_calls),
    callsCell(ctx, did.number));
}

function callsCell(ctx, number) {
  const counts = ctx.state.didCalls;
  const calls = counts && typeof counts[number] === "number" ? counts[number] : null;
  const text = calls === null ? "unknown" : calls === 0 ? "none" : (calls === 1 ? "1 call" : calls + " calls");
  return el("td", {class: "did-calls" + (calls ? " busy" : ""), "data-did-calls": number}, text);
}

function callsLine(ctx) {
  const calls = ctx.state.calls;
  let text;
  if (calls === null || calls === undefined) text = "Calls now: unknown (the PBX did not answer)";
  else if (calls === 0) text = "No calls right now";
  else text = (calls === 1 ? "1 call" : calls + " calls") + " in progress right now";
  return el("p", {id: "calls-now", class: "calls" + (calls ? " busy" : ""), role: "status"}, text);
}
