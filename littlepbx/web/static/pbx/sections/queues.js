/* Queues: callers wait with the music and hear their position until a member answers; members may
   have to log in from their phones (*45 and the queue's number). */
import {objectSection} from "./objectlist.js";

export const queues = objectSection({
  kind: "queues",
  title: "Queues",
  intro: "Callers wait in line, hearing your music and their position, until one of the members answers. " +
         "Figures per queue are on the stats page.",
  empty: "No queues yet.",
  rows: [["name", "strategy", "music_class"], ["members", "login_required", "record_calls"], ["ring_seconds", "wrapup_seconds", "announce_seconds"],
    ["max_wait_seconds", "timeout_destination"], ["max_callers", "full_destination"]],
  add: ["number", "name"],
  deleteText: "Phone numbers that go to it will ring nobody until you choose another destination. " +
              "Nothing changes on the phones until Apply.",
});
