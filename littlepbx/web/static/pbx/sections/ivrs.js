/* Menus (IVR): the greeting callers hear, what each key does, and what happens when they press
   nothing or a wrong key. The greeting is an upload (MP3 or WAV), converted on the server. */
import {objectSection} from "./objectlist.js";
import {promptBody} from "./prompt.js";

const KEYPAD = [["1", "2", "3"], ["4", "5", "6"], ["7", "8", "9"], ["star", "0", "hash"]];

export const ivrs = objectSection({
  kind: "ivrs",
  title: "Menus",
  intro: "What callers hear and what each key does: \"press 1 for sales\". Send a phone number or your " +
         "business hours here.",
  empty: "No menus yet.",
  rows: [["title"]].concat(KEYPAD.map(function (row) { return row.map(function (key) { return "option_" + key; }); }),
    [["direct_dial", "timeout_seconds", "repeats"], ["timeout_destination", "invalid_destination"]]),
  emptyLabels: Object.fromEntries(KEYPAD.flat().map(function (key) { return ["option_" + key, "— nothing —"]; })),
  add: ["name", "title"],
  deleteText: "Phone numbers that go to it will ring nobody until you choose another destination. " +
              "Nothing changes on the phones until Apply.",
  body: promptBody("greeting", "Greeting", "No greeting uploaded: callers hear \"Please enter the number you wish to call\"."),
});
