/* Ring groups: one number ringing several phones, all at once or one by one. */
import {objectSection} from "./objectlist.js";

export const ringgroups = objectSection({
  kind: "ringgroups",
  title: "Ring groups",
  intro: "A number that rings several phones. Your phones dial it; a phone number or a menu can send calls to it.",
  empty: "No ring groups yet.",
  rows: [["name", "members"], ["strategy", "ring_seconds", "cid_prefix"], ["no_answer", "music_class"]],
  add: ["number", "name"],
  deleteText: "Phone numbers that ring it will ring nobody until you choose another destination. " +
              "Nothing changes on the phones until Apply.",
});
