"""The baseline of our Apply: the regenerate-and-reload way (FreePBX, MPBX). The very endpoints
the Applies wrote are written as one static pjsip configuration for a second Asterisk on the
same database; one organization's change then means writing that file again and
`module reload res_pjsip.so`, while phones of another organization keep registering. The same
second Asterisk is the baseline for REGISTER on realtime against static files."""
from __future__ import annotations

import time
from pathlib import Path

from sqlalchemy import text

from bench import calls
from bench.figures import Figure, phones_of, registering, summary
from littlepbx.pbx_backends.asterisk import provision

STATIC_FILE = "pjsip_static.conf"
# Endpoints, auths and AORs from the static file; contacts in Asterisk's own database (astdb), as
# a static install keeps them.
SORCERY = """; written by LittlePBX's bench: every PJSIP object from static files
[res_pjsip]
endpoint=config,pjsip.conf,criteria=type=endpoint
auth=config,pjsip.conf,criteria=type=auth
aor=config,pjsip.conf,criteria=type=aor
"""
TABLES = (("ps_endpoints", "endpoint"), ("ps_auths", "auth"), ("ps_aors", "aor"))


def config_value(value: str) -> list[str]:
    """A realtime value as config lines' values: ';' separated several, ^XX are escapes."""
    return [piece.replace("^3B", r"\;").replace("^5E", "^") for piece in str(value).split(";")]


def static_config(engine) -> str:
    """Every endpoint, auth and AOR of the realtime tables as pjsip.conf sections."""
    lines = ["; written by LittlePBX's bench from the realtime tables"]
    with engine.connect() as connection:
        for table, kind in TABLES:
            for row in connection.execute(text(f"SELECT * FROM {table} ORDER BY id")).mappings():
                lines.append(f"\n[{row['id']}]\ntype={kind}")
                lines.extend(f"{name}={piece}" for name, value in row.items()
                             if name != "id" and value not in (None, "") for piece in config_value(value))
    return "\n".join(lines) + "\n"


def regenerate_and_reload(lab, probe_code: str, our_apply_ms: float, our_register_ms: float) -> list[Figure]:
    calls.unlimited_calls(lab, probe_code)  # the call setup bursts below: the same on both
    static = lab.second_pbx("static", 27000)
    config_dir = provision.in_root(static.config, static.config["ASTERISK_CONFIG_DIR"])
    (config_dir / "sorcery.conf").write_text(SORCERY)
    with open(config_dir / "pjsip.conf", "a") as pjsip:
        pjsip.write(f'\n#include "{STATIC_FILE}"\n')
    (config_dir / STATIC_FILE).write_text(static_config(lab.engine))
    booted = static.start()
    phones = phones_of(lab, probe_code, 10, server=static.sip_server)
    started = time.perf_counter()
    while phones[0].register(timeout=1).status != 200:  # "fully booted" comes before it serves phones
        time.sleep(0.1)
    serving = time.perf_counter() - started + booted
    try:
        with registering(phones) as idle:
            time.sleep(5)
        # Call setup, the same burst of calls between the same two phones, static then ours.
        workdir = Path(lab.workdir) / "static-calls"
        static_setup = calls.setup_at(*phones_of(lab, probe_code, 2, server=static.sip_server), workdir)
        our_setup = calls.setup_at(*phones_of(lab, probe_code, 2), workdir)
        with registering(phones) as during:
            started = time.perf_counter()
            (config_dir / STATIC_FILE).write_text(static_config(lab.engine))
            written = time.perf_counter() - started
            static.cli("module reload res_pjsip.so")
            reloaded = time.perf_counter() - started
            time.sleep(1)
    finally:
        for phone in phones:
            phone.close()
    static.stop()
    idle_stats = summary([r.seconds for r in idle if r.status == 200])
    during_stats = summary([r.seconds for r in during if r.status == 200])
    refused = sum(r.status != 200 for r in during)
    detail = {"static_asterisk_booted_s": round(booted, 1), "static_asterisk_registers_after_s": round(serving, 1),
              "file_written_s": round(written, 3),
              "register_during_reload": during_stats, "refused_or_unanswered_during_reload": refused,
              "register_static_idle": idle_stats}
    setups = [result["setup_ms"] if result else {} for result in (our_setup, static_setup)]
    detail["call_setup_ours"], detail["call_setup_static"] = our_setup, static_setup
    setup_figure = (Figure("Call setup (INVITE with digest auth to answer, 10 calls/s) on realtime (ours) vs the same "
                           "endpoints as static files: p50", setups[0]["p50"], "ms", "≤ 1.5 × static",
                           ratio=round(setups[0]["p50"] / setups[1]["p50"], 2),
                           baseline=f"static p50 {setups[1]['p50']} ms", detail=detail)
                    if all(setup.get("p50") for setup in setups) else
                    Figure("Call setup on realtime vs static (a phone could not register)", float("nan"), ""))
    return [Figure("Regenerate + reload (static pjsip.conf, module reload res_pjsip.so) of one change",
                   round(reloaded * 1000, 1), "ms", "ours ≥ 1,000× faster",
                   ratio=round(reloaded * 1000 / our_apply_ms, 1), baseline=f"our Apply p50 {our_apply_ms} ms",
                   detail=detail),
            Figure("... REGISTERs of another org refused or unanswered during that reload", refused, "REGISTERs",
                   "0", detail=detail),
            Figure("REGISTER on realtime (ours) vs the same endpoints as static files: p50", our_register_ms, "ms",
                   "≤ 1.5 × static", ratio=round(our_register_ms / idle_stats["p50"], 2),
                   baseline=f"static p50 {idle_stats['p50']} ms", detail=detail),
            setup_figure]
