/* Dial rules: how numbers the phones dial that are none of the organization's own go out. */
import {objectSection} from "./objectlist.js";

export const dialrules = objectSection({
  kind: "dialrules",
  title: "Dial rules",
  intro: "How a number your phones dial goes out when it is none of your own numbers: short numbers (411), a " +
         "prefix replaced (0 then a number: +49 and the number) or removed. X is any digit, N 2-9, Z 1-9, and a " +
         "final . any digits more. Without a rule, numbers of 7 digits or more and + numbers go out as dialled. " +
         "Emergency numbers always go out.",
  empty: "No dial rules yet.",
  rows: [["strip", "prepend", "international"], ["note"]],
  add: ["pattern"],
  deleteText: "Numbers it sends out will go out as dialled, or not at all. Nothing changes on the phones until Apply.",
});
