"""The whole test run as three pytest processes at once ("lanes"), each with its own database,
PBX and ports: the Asterisk tests, the FreeSWITCH tests, and everything that needs no PBX.

Most of a PBX test is waiting for SIP and audio, so the lanes overlap well even on two cores;
run one after another they take about twice as long. ``./test.sh`` runs this; plain
``pytest`` (no LITTLEPBX_TEST_LANE) still runs everything in one process.

    python -m tests.lanes [pytest arguments]

Every lane gets the same arguments and keeps only its own tests; ``--junitxml=PATH`` is
written per lane and merged into PATH. Each lane's output goes to test-artifacts/lane-NAME.log
and is printed when the lane ends. On SIGTERM or SIGINT (CI's time limit) every lane is
interrupted, so its fixtures stop their PBX and its summary names what failed so far.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import xml.etree.ElementTree as ElementTree
from pathlib import Path

LANES = ("asterisk", "freeswitch", "other")
LANE = os.environ.get("LITTLEPBX_TEST_LANE", "")
# The FreeSWITCH lane's phones, upstreams and mail relay listen 2 ports above the Asterisk lane's.
# An even step: sipp's media ports, derived from the SIP port, stay apart as well.
PORT_SHIFT = 2 if LANE == "freeswitch" else 0
ROOT = Path(__file__).resolve().parent.parent
# Where the lanes' logs go (a test of this runner points it elsewhere).
ARTIFACTS = Path(os.environ.get("LITTLEPBX_TEST_ARTIFACTS", ROOT / "test-artifacts"))
# How long interrupted lanes get to tear down (CI's timeout kills us 60 s after its signal).
INTERRUPT_GRACE = 45
NOTHING_COLLECTED = 5  # pytest's exit code when a lane has none of the selected tests


def lane_of(item) -> str:
    """The lane a collected test runs in: its PBX's, or "other" for a test that needs none (the
    rest of tests/asterisk share the Asterisk lane: they use its cached root)."""
    callspec = getattr(item, "callspec", None)
    backend = callspec.params.get("pbx") if callspec else None
    if backend:
        return backend
    return "asterisk" if "/tests/asterisk/" in str(item.path) else "other"


def keep_own_lane(config, items: list) -> None:
    """Deselect every test of another lane (only when this process is one of the lanes)."""
    if LANE not in LANES:
        return
    others = [item for item in items if lane_of(item) != LANE]
    if others:
        config.hook.pytest_deselected(items=others)
        items[:] = [item for item in items if lane_of(item) == LANE]


def junit_target(arguments: list[str]) -> tuple[list[str], Path | None]:
    """The arguments without --junitxml, and the path it named (None without one)."""
    rest, target = [], None
    iterator = iter(arguments)
    for argument in iterator:
        if argument.startswith(("--junitxml=", "--junit-xml=")):
            target = Path(argument.split("=", 1)[1])
        elif argument in ("--junitxml", "--junit-xml"):
            target = Path(next(iterator))
        else:
            rest.append(argument)
    return rest, target


def merge_junit(parts: list[Path], target: Path) -> None:
    """One <testsuites> holding every lane's <testsuite>."""
    merged = ElementTree.Element("testsuites")
    for part in parts:
        if not part.exists():
            continue
        root = ElementTree.parse(part).getroot()
        merged.extend(root.iter("testsuite") if root.tag == "testsuites" else [root])
    target.parent.mkdir(parents=True, exist_ok=True)
    ElementTree.ElementTree(merged).write(target, encoding="utf-8", xml_declaration=True)


def main(arguments: list[str]) -> int:
    arguments, junit = junit_target(arguments)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    started = time.monotonic()
    running: dict[str, tuple[subprocess.Popen, Path, Path | None]] = {}
    for lane in LANES:
        log = ARTIFACTS / f"lane-{lane}.log"
        part = junit.with_name(f"{junit.stem}-{lane}{junit.suffix}") if junit else None
        command = [sys.executable, "-m", "pytest", *arguments, *([f"--junitxml={part}"] if part else [])]
        # Its own session: a signal to our process group (timeout(1) sends one) must not kill a lane
        # before its fixtures stop its PBX; we pass it on as SIGINT instead.
        with log.open("w") as output:
            process = subprocess.Popen(command, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True,
                                       env=dict(os.environ, LITTLEPBX_TEST_LANE=lane))
        running[lane] = (process, log, part)
    print(f"testing in {len(LANES)} lanes at once: {', '.join(LANES)} (output in {ARTIFACTS}/lane-*.log)",
          flush=True)

    def stop(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    codes: dict[str, int] = {}
    pending = dict(running)
    try:
        while pending:
            for lane, (process, log, _) in list(pending.items()):
                if process.poll() is not None:
                    codes[lane] = process.returncode
                    del pending[lane]
                    minutes = (time.monotonic() - started) / 60
                    print(f"\n==> lane {lane}: exit {process.returncode} after {minutes:.1f} min\n"
                          f"{log.read_text(errors='replace')}", flush=True)
            time.sleep(1)
    except KeyboardInterrupt:
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        print("\nstopped: interrupting every lane (its fixtures stop its PBX)", flush=True)
        for process, _, _ in pending.values():
            process.send_signal(signal.SIGINT)
        deadline = time.monotonic() + INTERRUPT_GRACE
        for lane, (process, log, _) in pending.items():
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            codes[lane] = process.returncode or 1
            print(f"\n==> lane {lane}: interrupted\n{log.read_text(errors='replace')}", flush=True)
        codes["interrupted"] = 2
    if junit:
        merge_junit([part for _, _, part in running.values() if part], junit)
    ran = {lane: code for lane, code in codes.items() if code != NOTHING_COLLECTED}
    if not ran:
        return NOTHING_COLLECTED
    failed = {lane: code for lane, code in ran.items() if code != 0}
    print(f"\n==> lanes done after {(time.monotonic() - started) / 60:.1f} min: "
          + (f"FAILED {failed}" if failed else "all passed"), flush=True)
    return max(failed.values()) if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
