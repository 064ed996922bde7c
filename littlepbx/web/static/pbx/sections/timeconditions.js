/* Business hours (time conditions): open and closed destinations chosen by the week's hours and the
   holidays, and the night-mode switch that forces either at once, without an Apply. */
import {api, el, replaceChildren} from "../../common.js";
import {itemPath, prefixOf} from "../objects.js";
import {objectSection} from "./objectlist.js";

const STATES = {open: "Open", closed: "Closed"};

export const timeconditions = objectSection({
  kind: "timeconditions",
  title: "Business hours",
  intro: "Open and closed hours in your time zone, each leading somewhere: send a phone number here to " +
         "reach reception in the day and voicemail at night. Forcing it open or closed acts at once.",
  empty: "No business hours yet.",
  rows: [["title", "toggle_code"], ["schedule"], ["holidays"], ["open_destination", "closed_destination"]],
  add: ["name", "title"],
  deleteText: "Phone numbers that go to it will ring nobody until you choose another destination. " +
              "Nothing changes on the phones until Apply.",
  status: switchControls,
});

/* "Now: open (forced)" and the buttons forcing it; before its first Apply the PBX does not know it. */
function switchControls(ctx, kind, row) {
  const box = el("span", {class: "switch", id: prefixOf(kind.name, row[kind.key]) + "switch"});
  const problem = el("span", {class: "error", role: "alert"});
  const draw = function () {
    if (!row.state) {
      replaceChildren(box, el("span", {class: "muted"}, "Not live yet: Apply first"));
      return;
    }
    const buttons = [["open", "Force open"], ["closed", "Force closed"], ["auto", "Follow the hours"]]
      .filter(function (choice) { return choice[0] !== (row.forced || "auto"); })
      .map(function (choice) {
        return el("button", {type: "button", onclick: function () { force(choice[0]); }}, choice[1]);
      });
    replaceChildren(box, el("strong", {class: "state-" + row.state},
      "Now " + STATES[row.state].toLowerCase() + (row.forced ? " (forced)" : " (by its hours)")), " ", buttons, problem);
  };
  const force = async function (state) {
    problem.textContent = "";
    try {
      Object.assign(row, await api("PUT", itemPath(ctx, kind, row) + "/force", {state: state}));
    } catch (error) {
      problem.textContent = error.message;
      return;
    }
    draw();
  };
  draw();
  return box;
}
