/* Announcements: a recording played to callers ("we are closed for the holidays"), then where they go. */
import {objectSection} from "./objectlist.js";
import {promptBody} from "./prompt.js";

export const announcements = objectSection({
  kind: "announcements",
  title: "Announcements",
  intro: "A recording callers hear, then where the call goes (hang up, a mailbox, …). Send a phone number or " +
         "your closed hours here.",
  empty: "No announcements yet.",
  rows: [["title", "then_destination"]],
  add: ["name", "title"],
  deleteText: "Phone numbers that go to it will ring nobody until you choose another destination. " +
              "Nothing changes on the phones until Apply.",
  body: promptBody("recording", "Recording", "No recording uploaded: callers go straight on."),
});
