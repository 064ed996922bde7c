/* Blocked callers: outside numbers (or every number beginning so) refused, or sent elsewhere. */
import {objectSection} from "./objectlist.js";

export const blocked_callers = objectSection({
  kind: "blocked_callers",
  title: "Blocked callers",
  intro: "Outside numbers whose calls to your numbers are refused, or sent somewhere else (your voicemail, " +
         "an announcement).",
  empty: "No blocked callers.",
  rows: [["match", "then_destination", "note"]],
  add: ["number", "match"],
  deleteText: "Their calls ring as anyone's again after Apply.",
});
