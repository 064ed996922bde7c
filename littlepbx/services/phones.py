"""What a SIP phone needs to know about the server it registers to."""
from __future__ import annotations


def sip_server(config) -> dict:
    """Host, port and transport of the shared PBX as phones must dial it (SIP_PUBLIC_HOST first)."""
    host = config.get("SIP_PUBLIC_HOST") or config.get("ASTERISK_SIP_HOST") or "127.0.0.1"
    return {"server": str(host), "port": int(config.get("ASTERISK_SIP_PORT") or 5060),
            "transport": "udp"}
