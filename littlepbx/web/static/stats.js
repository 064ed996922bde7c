/* Stats page: calls now, registrations, and the last four weeks of call records, from the REST API. */
import * as LP from "./common.js";

(function () {
  const api = LP.api, el = LP.el;
  const root = document.getElementById("stats");
  const code = root.dataset.org, timeZone = root.dataset.timezone;
  const base = "/orgs/" + encodeURIComponent(code);
  const DAYS = 28;
  const SVG = "http://www.w3.org/2000/svg";

  function showError(message) {
    const box = document.getElementById("stats-error");
    box.textContent = message;
    box.hidden = false;
  }

  function setText(id, text) {
    document.getElementById(id).textContent = text;
  }

  async function loadNow() {
    try {
      const calls = await api("GET", base + "/calls");
      setText("calls-now", String(typeof calls.active_calls === "number" ? calls.active_calls : LP.items(calls).length));
    } catch (error) {
      setText("calls-now", "unknown");
    }
    try {
      const status = await api("GET", base + "/trunks/outbound/status");
      setText("trunk-state", String(status.state || "unknown").replace(/_/g, " "));
    } catch (error) {
      setText("trunk-state", "unknown");
    }
  }

  async function loadCurrentCalls() {
    const box = document.getElementById("current-calls");
    let answer;
    try {
      answer = await api("GET", base + "/calls/current");
    } catch (error) {
      LP.replaceChildren(box, el("p", {class: "muted"}, "The PBX did not answer: " + error.message));
      return;
    }
    if (answer.calls === null) {
      LP.replaceChildren(box, el("p", {class: "muted"}, "This PBX cannot list the calls that are up."));
      return;
    }
    if (!answer.calls.length) {
      LP.replaceChildren(box, el("p", {class: "empty"}, "Nobody is on the phone."));
      return;
    }
    LP.replaceChildren(box, el("table", {id: "current-table"},
      el("thead", {}, el("tr", {}, ["From", "To", "State", "Since"].map(function (h) {
        return el("th", {scope: "col"}, h);
      }))),
      el("tbody", {}, answer.calls.map(function (call) {
        return el("tr", {}, el("td", {}, call.caller || "unknown"), el("td", {}, call.callee || "unknown"),
          el("td", {}, call.state), el("td", {}, LP.formatTime(call.started_at, timeZone, false)));
      }))));
  }

  async function loadQueues() {
    const box = document.getElementById("queue-figures");
    let answer;
    try {
      answer = await api("GET", base + "/queues/stats");
    } catch (error) {
      LP.replaceChildren(box, el("p", {class: "muted"}, "The PBX did not answer: " + error.message));
      return;
    }
    if (!answer.queues.length) {
      LP.replaceChildren(box, el("p", {class: "empty"}, "No queues are live."));
      return;
    }
    LP.replaceChildren(box, el("table", {id: "queue-table"},
      el("thead", {}, el("tr", {}, ["Queue", "Waiting now", "Answered", "Abandoned", "Timed out", "Average wait"]
        .map(function (h) { return el("th", {scope: "col"}, h); }))),
      el("tbody", {}, answer.queues.map(function (q) {
        return el("tr", {}, el("td", {}, q.number + (q.name ? " · " + q.name : "")), el("td", {}, String(q.waiting)),
          el("td", {}, String(q.answered)), el("td", {}, String(q.abandoned)), el("td", {}, String(q.timed_out)),
          el("td", {}, q.average_wait_seconds === null ? "—" : Math.round(q.average_wait_seconds) + " s"));
      }))));
  }

  async function loadExtensions() {
    const extensions = await LP.listAll(base + "/extensions");
    const reported = extensions.filter(function (e) { return typeof e.registered === "boolean"; });
    const tile = document.getElementById("phones-registered");
    tile.textContent = reported.length
      ? reported.filter(function (e) { return e.registered; }).length + " of " + extensions.length
      : extensions.length ? "not reported by the PBX" : "no extensions yet";
    tile.classList.toggle("small", !reported.length);
    return extensions;
  }

  /* The last DAYS calendar days in the organization's time zone, oldest first. */
  function lastDays() {
    const days = [];
    const now = Date.now();
    for (let i = DAYS - 1; i >= 0; i--) {
      const day = LP.dayIn(new Date(now - i * 86400000), timeZone);
      if (days[days.length - 1] !== day) days.push(day);
    }
    return days;
  }

  function outcome(record) {
    if (record.reached === "refused" || record.reached === "blocked") return "refused";
    if (record.reached === "busy") return "busy";
    if (String(record.lastapp || "").toLowerCase() === "voicemail" ||
        String(record.reached || "").indexOf("voicemail:") === 0) return "voicemail";
    return record.disposition === "ANSWERED" ? "answered" : "missed";
  }

  /* Where a call ended, in words, from its record's "reached" (a destination as written). */
  const KINDS = {voicemail: "mailbox", ringgroup: "ring group", queue: "queue", ivr: "menu",
    timecondition: "business hours", paging: "paging group", announcement: "announcement"};
  function reachedText(record) {
    const reached = record.reached || "";
    if (!reached) return record.dst || "";
    if (reached === "refused" || reached === "busy" || reached === "hangup") return reached;
    const kind = reached.split(":")[0];
    if (KINDS[kind]) return KINDS[kind] + " " + reached.slice(kind.length + 1);
    return /^\+|^\d{7,}$/.test(reached) ? "outside " + reached : "extension " + reached;
  }

  function extensionOf(record, numbers, didRoutes) {
    const channel = /^PJSIP\/[a-z0-9]+-(\d{2,6})-/.exec(record.dstchannel || "");
    if (channel && numbers.has(channel[1])) return channel[1];
    const reached = String(record.reached || "").replace(/^voicemail:/, "");
    if (numbers.has(reached)) return reached;
    if (numbers.has(record.dst)) return record.dst;
    return didRoutes[record.dst] || didRoutes["+" + record.dst] || null;
  }

  function drawChart(days, counts) {
    const box = document.getElementById("per-day-chart");
    const width = 700, height = 220, left = 34, bottom = 28, top = 10;
    const max = Math.max(1, Math.max.apply(null, days.map(function (d) { return counts[d] || 0; })));
    const step = (width - left) / days.length;
    const scale = (height - top - bottom) / max;
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("viewBox", "0 0 " + width + " " + height);
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-labelledby", "per-day-title");
    svg.setAttribute("id", "per-day-svg");
    const add = function (tag, attributes, text) {
      const node = document.createElementNS(SVG, tag);
      Object.keys(attributes).forEach(function (k) { node.setAttribute(k, attributes[k]); });
      if (text !== undefined) node.textContent = text;
      svg.appendChild(node);
      return node;
    };
    add("line", {x1: left, y1: height - bottom, x2: width, y2: height - bottom, class: "axis"});
    add("text", {x: left - 6, y: top + 10, "text-anchor": "end", class: "tick"}, String(max));
    add("text", {x: left - 6, y: height - bottom, "text-anchor": "end", class: "tick"}, "0");
    days.forEach(function (day, index) {
      const count = counts[day] || 0;
      const barHeight = count * scale;
      const bar = add("rect", {x: left + index * step + 2, y: height - bottom - barHeight,
        width: Math.max(1, step - 4), height: barHeight, class: "bar", "data-day": day, "data-count": count});
      const title = document.createElementNS(SVG, "title");
      title.textContent = day + ": " + count + (count === 1 ? " call" : " calls");
      bar.appendChild(title);
      if (index % 7 === 0 || index === days.length - 1) {
        const last = index === days.length - 1;
        add("text", {x: last ? width : left + index * step + step / 2, y: height - 8,
          "text-anchor": last ? "end" : "middle", class: "tick"}, day.slice(5));
      }
    });
    LP.replaceChildren(box, svg);
    LP.replaceChildren(document.getElementById("per-day-table"),
      el("table", {class: "list"}, el("thead", {}, el("tr", {}, el("th", {scope: "col"}, "Day"), el("th", {scope: "col"}, "Calls"))),
        el("tbody", {}, days.map(function (day) {
          return el("tr", {}, el("td", {}, day), el("td", {}, String(counts[day] || 0)));
        }))));
  }

  function perExtensionTable(extensions, tallies) {
    const box = document.getElementById("per-extension");
    if (!extensions.length) {
      LP.replaceChildren(box, el("p", {class: "empty"}, "No extensions yet: add the first one on the PBX page."));
      return;
    }
    LP.replaceChildren(box, el("table", {class: "list", id: "per-extension-table"},
      el("thead", {}, el("tr", {}, ["Extension", "Answered", "Missed", "Voicemail"].map(function (h) {
        return el("th", {scope: "col"}, h);
      }))),
      el("tbody", {}, extensions.map(function (ext) {
        const t = tallies[ext.number] || {answered: 0, missed: 0, voicemail: 0};
        return el("tr", {"data-number": ext.number},
          el("th", {scope: "row"}, ext.number + (ext.display_name ? " · " + ext.display_name : "")),
          el("td", {class: "answered"}, String(t.answered)), el("td", {class: "missed"}, String(t.missed)),
          el("td", {class: "voicemail"}, String(t.voicemail)));
      }))));
  }

  /* The call history of the last four weeks, filtered on the page by number, extension and
     result; the CSV export asks the server for the same number and result. */
  /* A recorded call's player and download link (its audio comes from the API, org-scoped). */
  function recordingCell(r) {
    if (!r.recording) return el("td", {});
    const audio = "/api/v1" + base + "/recordings/" + encodeURIComponent(r.recording) + "/audio";
    return el("td", {class: "recording"}, el("audio", {controls: "", preload: "none", src: audio}),
      el("a", {href: audio + "?download=1", "aria-label": "Download the recording"}, "Download"));
  }

  function recentTable(records, extensions, numbers, didRoutes) {
    const box = document.getElementById("recent-calls");
    if (!records.length) {
      LP.replaceChildren(box, el("p", {class: "empty"}, "No calls in the last four weeks."));
      return;
    }
    const number = el("input", {id: "history-number", type: "search", inputmode: "tel", placeholder: "e.g. 0100"});
    const extension = el("select", {id: "history-extension"}, el("option", {value: ""}, "all"),
      extensions.map(function (e) { return el("option", {value: e.number}, e.number + (e.display_name ? " · " + e.display_name : "")); }));
    const result = el("select", {id: "history-result"}, el("option", {value: ""}, "all"),
      ["answered", "missed", "voicemail", "refused", "busy"].map(function (r) { return el("option", {value: r}, r); }));
    const exportLink = el("a", {id: "history-export", class: "button", href: "#"}, "Export CSV");
    const list = el("div", {class: "scroll"});
    const draw = function () {
      const digits = number.value.replace(/[^0-9]/g, "");
      const shown = records.filter(function (r) {
        if (digits && [r.src, r.dialed, r.reached, r.dst].join(" ").replace(/[^0-9 ]/g, "").indexOf(digits) < 0) return false;
        if (extension.value && extensionOf(r, numbers, didRoutes) !== extension.value) return false;
        return !result.value || outcome(r) === result.value;
      });
      exportLink.href = "/api/v1" + base + "/cdr/export?from=" + lastDays()[0] + (digits ? "&number=" + digits : "") +
        (result.value ? "&result=" + result.value : "");
      LP.replaceChildren(list, shown.length ? el("table", {class: "list", id: "recent-table"},
        el("thead", {}, el("tr", {}, ["When", "From", "Dialled", "Reached", "Talked", "Result", "Recording"].map(function (h) {
          return el("th", {scope: "col"}, h);
        }))),
        el("tbody", {}, shown.slice(0, 100).map(function (r) {
          const seconds = r.billsec || 0;
          return el("tr", {},
            el("td", {}, LP.formatTime(r.calldate, timeZone)), el("td", {}, r.clid || r.src || ""),
            el("td", {}, r.dialed || r.dst || ""), el("td", {}, reachedText(r)),
            el("td", {}, Math.floor(seconds / 60) + ":" + String(seconds % 60).padStart(2, "0")),
            el("td", {class: "result " + outcome(r)}, outcome(r)), recordingCell(r));
        }))) : el("p", {class: "empty", id: "history-none"}, "No call matches."));
    };
    [number, extension, result].forEach(function (input) { input.addEventListener("input", draw); });
    LP.replaceChildren(box, el("div", {class: "row filters"},
      el("div", {class: "field"}, el("label", {for: "history-number"}, "Number"), number),
      el("div", {class: "field"}, el("label", {for: "history-extension"}, "Extension"), extension),
      el("div", {class: "field"}, el("label", {for: "history-result"}, "Result"), result),
      el("div", {class: "field"}, exportLink)), list);
    draw();
  }

  async function loadHistory(extensions) {
    const days = lastDays();
    const [records, dids] = await Promise.all([
      LP.listAll(base + "/cdr?from=" + days[0], 100), LP.listAll(base + "/dids")]);
    const numbers = new Set(extensions.map(function (e) { return e.number; }));
    const didRoutes = {};
    // A number whose calls go straight to an extension counts for it.
    dids.forEach(function (d) { if (/^\d{2,6}$/.test(d.destination || "")) didRoutes[d.number] = d.destination; });
    const counts = {}, tallies = {};
    const inWindow = records.filter(function (r) {
      return days.indexOf(LP.dayIn(new Date(r.calldate), timeZone)) >= 0;
    });
    inWindow.forEach(function (r) {
      const day = LP.dayIn(new Date(r.calldate), timeZone);
      counts[day] = (counts[day] || 0) + 1;
      const ext = extensionOf(r, numbers, didRoutes);
      if (!ext) return;
      tallies[ext] = tallies[ext] || {answered: 0, missed: 0, voicemail: 0};
      tallies[ext][outcome(r)] += 1;
    });
    setText("calls-total", String(inWindow.length));
    drawChart(days, counts);
    perExtensionTable(extensions, tallies);
    recentTable(inWindow, extensions, numbers, didRoutes);
  }

  async function load() {
    loadNow();
    loadCurrentCalls();
    loadQueues();
    try {
      await loadHistory(await loadExtensions());
      root.dataset.loaded = "true";
    } catch (error) {
      showError("Could not load the call history: " + error.message);
    }
  }

  load();
  window.setInterval(function () { loadNow(); loadCurrentCalls(); loadQueues(); }, 10000);
})();
