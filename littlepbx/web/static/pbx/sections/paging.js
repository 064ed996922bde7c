/* Paging groups: one number that opens the speakers of several phones at once (one-way). */
import {objectSection} from "./objectlist.js";

export const paginggroups = objectSection({
  kind: "paginggroups",
  title: "Paging groups",
  intro: "A number your phones dial to speak through the speakers of several phones at once: they answer by " +
         "themselves and listen.",
  empty: "No paging groups yet.",
  rows: [["name", "seconds"], ["members"]],
  add: ["number", "name"],
  deleteText: "Phones dialling its number will reach nothing. Nothing changes on the phones until Apply.",
});
