/* The PBX page: the organization's configuration in sections, every edit sent to the REST API the
   moment it is made, the pending changes and the Apply run watched live.

   A section is a small module ({name, load, render, mount?}) in sections/; the fields it shows are
   described by the API itself (schema.js), so adding a kind of configuration to the page is one
   short file listed below. */
import {ApplyBar, showApplyError} from "./apply.js";
import {refreshChanges} from "./changes.js";
import {loadDocument, Schema} from "./schema.js";
import {announcements} from "./sections/announcements.js";
import {blocked_callers} from "./sections/blocked_callers.js";
import {callsettings} from "./sections/callsettings.js";
import {conferences} from "./sections/conferences.js";
import {dialrules} from "./sections/dialrules.js";
import {dids} from "./sections/dids.js";
import {extensions} from "./sections/extensions.js";
import {ivrs} from "./sections/ivrs.js";
import {moh} from "./sections/moh.js";
import {musicclasses} from "./sections/musicclasses.js";
import {paginggroups} from "./sections/paging.js";
import {phone_blocks} from "./sections/phone_blocks.js";
import {queues} from "./sections/queues.js";
import {ringgroups} from "./sections/ringgroups.js";
import {timeconditions} from "./sections/timeconditions.js";

const SECTIONS = [extensions, dids, ringgroups, queues, paginggroups, conferences, timeconditions, ivrs, announcements,
  moh, musicclasses, blocked_callers, phone_blocks, dialrules, callsettings];
const root = document.getElementById("pbx");

async function start() {
  const ctx = {code: root.dataset.org, timeZone: root.dataset.timezone, userEmail: root.dataset.userEmail,
               base: "/orgs/" + encodeURIComponent(root.dataset.org), state: {}};
  ctx.schema = new Schema(await loadDocument());
  ctx.kind = function (name) { return ctx.schema.kinds.find(function (kind) { return kind.name === name; }); };
  ctx.changed = function () { return refreshChanges(ctx); };
  ctx.applied = async function () {
    await Promise.all(SECTIONS.filter(function (s) { return s.afterApply; }).map(function (s) { return s.afterApply(ctx); }));
    return ctx.changed();
  };
  const bar = new ApplyBar(ctx);
  ctx.reload = async function () {
    await Promise.all(SECTIONS.map(function (section) { return section.load(ctx); }));
    SECTIONS.forEach(function (section) { section.render(ctx); });
    await ctx.changed();
  };
  SECTIONS.forEach(function (section) { if (section.mount) section.mount(ctx); });
  bar.wire();
  await Promise.all([ctx.reload(), bar.poll(), dids.pollCalls(ctx)]);
  root.dataset.loaded = "true";
  let ticks = 0;
  const tick = async function () {
    await bar.poll();
    if (ticks++ % 5 === 0) await dids.pollCalls(ctx);
    window.setTimeout(tick, bar.isActive(bar.run) ? 700 : 3000);
  };
  window.setTimeout(tick, 700);
}

start().catch(function (error) { showApplyError("Could not load the PBX: " + error.message); });
