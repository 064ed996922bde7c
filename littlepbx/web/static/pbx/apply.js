/* Apply, Stop, Discard and Reset, and the live state of the organization's Apply run. State names,
   which states are active and which Stop can end come from the API's description of a run. */
import {api, el, formatTime, replaceChildren} from "../common.js";
import {confirmAction} from "./fields.js";
import {Schema} from "./schema.js";

export function runStates(schema) {
  const state = schema.properties("Run").state;
  return {labels: Object.fromEntries(Schema.options(state)), active: state["x-active"] || [],
          stoppable: state["x-stoppable"] || []};
}

function runOf(body) {
  const run = body && body.run !== undefined ? body.run : body;
  return run && run.state ? run : null;
}

export function showApplyError(message) {
  const problem = document.getElementById("apply-error");
  problem.textContent = message || "";
  problem.hidden = !message;
}

export class ApplyBar {
  constructor(ctx) {
    this.ctx = ctx;
    this.states = runStates(ctx.schema);
    this.run = null;
  }

  isActive(run) {
    return !!run && this.states.active.indexOf(run.state) >= 0;
  }

  render() {
    const run = this.run, box = document.getElementById("run-state");
    const active = this.isActive(run);
    document.getElementById("apply-button").disabled = active;
    document.getElementById("stop-button").disabled = !(active && this.states.stoppable.indexOf(run.state) >= 0);
    document.getElementById("discard-button").disabled = active;
    document.getElementById("reset-button").disabled = active;
    if (!run) {
      box.dataset.state = "none";
      replaceChildren(box, "Nothing has been applied from this page yet.");
      return;
    }
    box.dataset.state = run.state;
    const when = run.finished_at || run.started_at || run.requested_at;
    replaceChildren(box,
      el("strong", {class: "state state-" + run.state}, this.states.labels[run.state] || run.state),
      " — ", run.description || run.message || "",
      when ? el("span", {class: "muted"}, " (" + formatTime(when, this.ctx.timeZone) + ")") : null);
  }

  /* Ask for the run again; when one has just ended, the pending diff (and what shows live state) is refreshed. */
  async poll() {
    const before = this.run;
    try {
      this.run = runOf(await api("GET", this.ctx.base + "/apply"));
    } catch (error) {
      if (error.status !== 404) return;
      this.run = null;
    }
    this.render();
    if (this.isActive(before) && !this.isActive(this.run)) this.ctx.applied();
  }

  wire() {
    const ctx = this.ctx, bar = this;
    document.getElementById("apply-button").addEventListener("click", async function () {
      showApplyError("");
      const notify = document.getElementById("notify").checked;
      try {
        bar.run = runOf(await api("POST", ctx.base + "/apply", notify ? {notify: true, email: ctx.userEmail} : {notify: false}));
      } catch (error) {
        if (error.detail && error.detail.run) bar.run = error.detail.run;
        showApplyError(error.message);
      }
      bar.render();
    });
    document.getElementById("stop-button").addEventListener("click", async function () {
      showApplyError("");
      try {
        bar.run = runOf(await api("POST", ctx.base + "/apply/stop"));
      } catch (error) {
        showApplyError(error.message);
      }
      bar.render();
      ctx.changed();
    });
    document.getElementById("discard-button").addEventListener("click", function () {
      bar.draftAction("discard", "Discard your changes?",
        "Everything not applied yet goes back to the live configuration.", "Discard changes");
    });
    document.getElementById("reset-button").addEventListener("click", function () {
      bar.draftAction("reset", "Reset to the defaults?",
        "All extensions are replaced by one extension, 100 (Reception), every number rings it, ring groups, queues, paging groups, business hours, menus, announcements and music classes are removed, and music on hold is turned off. Nothing changes on the phones until Apply.",
        "Reset");
    });
  }

  async draftAction(action, title, text, okLabel) {
    showApplyError("");
    if (!(await confirmAction(title, text, okLabel))) return;
    try {
      await api("POST", this.ctx.base + "/" + action);
    } catch (error) {
      showApplyError(error.message);
      return;
    }
    await this.ctx.reload();
  }
}
