"""What a SIP phone needs to know about the server it registers to."""
from __future__ import annotations


def sip_server(config, transport: str = "udp") -> dict:
    """Host, port and transport of the shared PBX as a phone connecting over ``transport`` must dial
    it (SIP_PUBLIC_HOST first): UDP and TCP share a port, TLS has its own."""
    host = config.get("SIP_PUBLIC_HOST") or config.get("ASTERISK_SIP_HOST") or "127.0.0.1"
    key = "ASTERISK_SIP_TLS_PORT" if transport == "tls" else "ASTERISK_SIP_PORT"
    return {"server": str(host), "port": int(config.get(key) or (5061 if transport == "tls" else 5060)),
            "transport": transport}
