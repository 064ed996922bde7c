/* Callers a phone blocked by dialling *32 (the last outside caller that rang it): refused on all the
   organization's numbers at once, not a draft; here they are listed and unblocked, also at once. */
import {api, el, formatTime, replaceChildren} from "../../common.js";
import {setStatus} from "../fields.js";

export const phone_blocks = {
  name: "phone_blocks",

  async load(ctx) {
    try {
      ctx.state.phone_blocks = (await api("GET", ctx.base + "/phone-blocks")).items;
    } catch (error) {
      ctx.state.phone_blocks = null;  // this PBX has no phone blocks
    }
  },

  mount(ctx) {
    document.getElementById("routing").appendChild(
      el("section", {id: "phone_blocks", class: "card", "aria-labelledby": "phone_blocks-title"},
        el("h2", {id: "phone_blocks-title"}, "Blocked from a phone"),
        el("p", {class: "muted"}, "A phone dials *32 to block the last outside caller that rang it: their " +
          "calls to any of your numbers are refused at once, with no Apply. Unblocking is at once too."),
        el("div", {id: "phone_blocks-list"}, el("p", {class: "muted"}, "Loading…"))));
  },

  render(ctx) {
    const section = document.getElementById("phone_blocks");
    const blocks = ctx.state.phone_blocks;
    section.hidden = blocks === null;
    if (blocks === null) return;
    const box = document.getElementById("phone_blocks-list");
    if (!blocks.length) {
      replaceChildren(box, el("p", {class: "empty"}, "No caller blocked from a phone."));
      return;
    }
    replaceChildren(box, el("table", {class: "list", id: "phone_blocks-table"},
      el("thead", {}, el("tr", {}, el("th", {}, "Caller"), el("th", {}, "Blocked by"), el("th", {}, "Since"),
        el("th", {}, ""))),
      el("tbody", {}, blocks.map(function (block) { return row(ctx, block); }))));
  },
};

function row(ctx, block) {
  const button = el("button", {type: "button", class: "secondary", id: "unblock-" + block.number.replace("+", ""),
    "aria-label": "Unblock " + block.number}, "Unblock");
  button.addEventListener("click", async function () {
    setStatus(button, "saving", "Unblocking…");
    try {
      await api("DELETE", ctx.base + "/phone-blocks/" + encodeURIComponent(block.number));
      ctx.state.phone_blocks = ctx.state.phone_blocks.filter(function (other) { return other !== block; });
      phone_blocks.render(ctx);
    } catch (error) {
      setStatus(button, "error", error.message);
    }
  });
  return el("tr", {"data-number": block.number},
    el("td", {class: "number"}, block.number), el("td", {}, block.extension || ""),
    el("td", {}, formatTime(block.created, ctx.timeZone, true)),
    el("td", {}, button, el("span", {class: "status", id: button.id + "-status", "aria-live": "polite"})));
}
