"""How fast LittlePBX's XML server answers FreeSWITCH (mod_xml_curl) with every loaded org's
plan in lp_fs_plans: a phone's login (directory) and a call's dialplan, over HTTP on loopback,
against the same server's answer to a request it needs no database for (the baseline).

FreeSWITCH asks on every REGISTER and every call and waits for the answer, so this is time each
registration and call setup spends in LittlePBX."""
from __future__ import annotations

import random
import time
from urllib.request import Request, urlopen

from littlepbx.extensions import db
from littlepbx.kinds.pbx import live_config
from littlepbx.pbx_backends.freeswitch import documents, plans
from littlepbx.pbx_backends.freeswitch.server import serve_in_thread, xml_path
from littlepbx.tenancy import SYSTEM, open_scope

from .figures import Figure, summary
from .load import SETTINGS


def store_plans(app, codes: list[str]) -> None:
    """Each org's live configuration written as the FreeSWITCH backend's Apply writes it."""
    session = db.of(app).sessions()
    try:
        for code in codes:
            org = live_config(open_scope(session, SYSTEM, code, settings=SETTINGS), app.config["DATA_DIR"])
            plans.write(session.connection(), org)
        session.commit()
    finally:
        session.close()


def timed_posts(url: str, bodies: list[bytes]) -> list[float]:
    seconds = []
    for body in bodies:
        started = time.perf_counter()
        with urlopen(Request(url, data=body, method="POST"), timeout=10) as answer:
            answer.read()
        seconds.append(time.perf_counter() - started)
    return seconds


def xml_answers(lab, codes: list[str], extensions: int, repeats: int) -> list[Figure]:
    from urllib.parse import urlencode

    store_plans(lab.app, codes)
    config = dict(lab.app.config, FREESWITCH_XML_SECRET="bench", FREESWITCH_XML_PORT=0)
    server = serve_in_thread(config, port=0)
    url = f"http://127.0.0.1:{server.server_address[1]}{xml_path(config)}"
    picks = [(random.choice(codes), 100 + random.randrange(extensions)) for _ in range(repeats)]
    logins = [urlencode({"section": "directory", "action": "sip_auth", "user": f"{code}-{number}",
                         "domain": documents.DOMAIN}).encode() for code, number in picks]
    dialplans = [urlencode({"section": "dialplan", "Hunt-Context": documents.PHONE_CONTEXT,
                            "Hunt-Destination-Number": "100", "variable_lp_org": code,
                            "variable_lp_ext": str(number)}).encode() for code, number in picks]
    nothing = [urlencode({"section": "phrases"}).encode()] * repeats
    try:
        timed_posts(url, logins[:20])  # connections and each org's first parse out of the way
        baseline = summary(timed_posts(url, nothing))
        login = summary(timed_posts(url, logins))
        dialplan = summary(timed_posts(url, dialplans))
    finally:
        server.shutdown()
        server.service.close()
    name = "FreeSWITCH XML server (mod_xml_curl) answer p50"
    return [Figure(f"{name}: a phone's login", login["p50"], "ms", "milliseconds",
                   ratio=round(login["p50"] / baseline["p50"], 2), baseline="an answer without the database",
                   detail={"login": login, "baseline": baseline}),
            Figure(f"{name}: a call's dialplan", dialplan["p50"], "ms", "milliseconds",
                   ratio=round(dialplan["p50"] / baseline["p50"], 2), baseline="an answer without the database",
                   detail={"dialplan": dialplan, "baseline": baseline})]
