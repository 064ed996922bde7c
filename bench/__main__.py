"""`./bench/run`: load organizations into a real MariaDB and a real Asterisk on bench ports,
measure each figure of the one-box promise, and write a JSON result and a table.

    ./bench/run                 1,000 organizations × 20 extensions (about 15 minutes)
    ./bench/run --quick         50 organizations: that it all works (CI runs it)
    ./bench/run --orgs 200      any other size

Figures with a baseline print their ratio to it, measured in the same run. Nothing is asserted:
the README's Performance section says which goals are met.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import calls, figures, flood, load, media, slowlog, static, xml_answers
from bench.lab import lab

RESULTS = Path(__file__).resolve().parent / "results"


def machine() -> dict:
    memory = next((line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                   if line.startswith("MemTotal:")), "0")
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    return {"cpus": os.cpu_count(), "cpu": model, "memory_gb": round(int(memory) / 1024 / 1024, 1),
            "kernel": platform.release()}


def table(rows: list[figures.Figure]) -> str:
    lines = ["| figure | measured | goal | ratio to baseline |", "|---|---|---|---|"]
    for row in rows:
        ratio = f"{row.ratio} × ({row.baseline})" if row.ratio is not None else ""
        value = f"{row.value:g} {row.unit}"
        lines.append(f"| {row.name} | {value} | {row.goal} | {ratio} |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench/run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--orgs", type=int, default=1000, help="organizations to load (default 1000)")
    parser.add_argument("--extensions", type=int, default=20, help="extensions per organization (default 20)")
    parser.add_argument("--quick", action="store_true", help="50 organizations and fewer repeats")
    parser.add_argument("--keep", action="store_true", help="keep the lab's directory (Asterisk's log) at the end")
    args = parser.parse_args()
    count = 50 if args.quick else args.orgs
    repeats = 10 if args.quick else 50
    rows: list[figures.Figure] = []
    started = time.perf_counter()

    def show(new: list[figures.Figure]) -> None:
        rows.extend(new)
        for row in new:
            print(f"  {row.name}: {row.value:g} {row.unit}" + (f"  (ratio {row.ratio})" if row.ratio else ""),
                  flush=True)

    with lab(keep=args.keep) as bench_lab:
        print(f"lab ready in {bench_lab.workdir}; starting Asterisk on port {bench_lab.sip_server[1]}", flush=True)
        bench_lab.pbx.start()
        # The org measured alone: 50 extensions.
        big = load.create_org(bench_lab.app, 0, 50)
        load.apply_now(bench_lab.app, bench_lab.applier, big)
        seconds = load.load(bench_lab.app, bench_lab.applier, count - 1, args.extensions, first=1)
        endpoints = 50 + (count - 1) * args.extensions
        show([figures.Figure(f"Load {count} orgs × {args.extensions} extensions (created and applied)",
                             round(seconds, 1), "s", "", detail={"endpoints": endpoints,
                                                                 "orgs_per_s": round((count - 1) / seconds, 1)})])
        codes = [load.code_of(index) for index in range(1, count)]
        api = figures.Api(bench_lab)
        applies = figures.apply_transaction(bench_lab, big, repeats)
        show(applies)
        show(figures.click_to_applied(bench_lab, api, big, repeats // 2))
        registering = figures.registrations_during_applies(bench_lab, codes[-1], codes[:-1] or [big],
                                                           30 if args.quick else 100)
        show(registering)
        show(flood.flood_effect(bench_lab, api, codes[-1], big, seconds=4 if args.quick else flood.SECONDS))
        show(static.regenerate_and_reload(bench_lab, codes[-1], applies[0].value,
                                          registering[0].detail["idle"]["p50"]))
        show(figures.all_at_once(bench_lab, api, codes))
        show(figures.api_latency(bench_lab, api, big, repeats))
        show(calls.call_setup(bench_lab, big, quick=args.quick))
        show(media.audio_during_applies(bench_lab, big, codes[:20] or [big], quick=args.quick))
        show(slowlog.database_work(bench_lab, codes[len(codes) // 2] if codes else big, codes[0] if codes else big))
        show(xml_answers.xml_answers(bench_lab, codes or [big], args.extensions, 100 if args.quick else 500))
        show(figures.asterisk_restart(bench_lab, codes[-1], endpoints))
        show(figures.org_list_at(bench_lab, api, 10 * count, repeats))

    result = {"when": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(),
              "orgs": count, "extensions_per_org": args.extensions, "seconds": round(time.perf_counter() - started, 1),
              "figures": [row.as_dict() for row in rows]}
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    path = RESULTS / f"bench-{count}-{stamp}.json"
    path.write_text(json.dumps(result, indent=2, default=str) + "\n")
    print()
    print(f"{count} organizations, {result['machine']['cpus']} CPUs ({result['machine']['cpu']}), "
          f"{result['seconds']} s")
    print(table(rows))
    print(f"\nwritten to {path}")


if __name__ == "__main__":
    main()
