/* Conference rooms: a number where callers talk together, with PINs and a moderator. */
import {objectSection} from "./objectlist.js";

export const conferences = objectSection({
  kind: "conferences",
  title: "Conference rooms",
  intro: "A number your phones dial (or your callers reach as a destination) to talk together. With a PIN only " +
         "those who know it join; who enters the moderator PIN is the moderator, and the others can wait with " +
         "music until the moderator is in.",
  empty: "No conference rooms yet.",
  rows: [["name", "max_members", "music_class"], ["pin", "moderator_pin", "wait_for_moderator"]],
  add: ["number", "name"],
  deleteText: "Callers dialling its number will reach nothing. Nothing changes on the phones until Apply.",
});
