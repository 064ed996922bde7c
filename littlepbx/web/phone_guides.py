"""How to set up popular SIP phones and apps: where each setting lives and what goes in it.

Each guide lists steps (plain sentences) and the fields to fill in as
(label on the phone, value). A value is one of the keys the help page fills in
with the organization's settings ("server", "port", "server_port", "transport",
"username", "password", "display_name") or a literal text starting with "=".
"""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class PhoneGuide:
    """One phone family or app."""

    slug: str
    name: str
    kind: str
    steps: tuple[str, ...]
    fields: tuple[tuple[str, str], ...]
    after: tuple[str, ...] = field(default=())


PHONES = (
    PhoneGuide(
        "yealink", "Yealink (T3x, T4x, T5x desk phones)", "Desk phone",
        ("On the phone press OK (or Menu → Status) to see its IP address.",
         "Open http://<that address> in a browser and log in (factory default: admin / admin).",
         "Go to Account → Register and pick Account 1."),
        (("Line Active", "=On"), ("Label", "display_name"), ("Display Name", "display_name"),
         ("Register Name", "username"), ("User Name", "username"), ("Password", "password"),
         ("SIP Server 1 → Server Host", "server"), ("SIP Server 1 → Port", "port"),
         ("Transport", "transport")),
        ("Press Confirm. The line key turns green with a tick when the phone is registered.",)),
    PhoneGuide(
        "poly", "Polycom / Poly (VVX, Edge E, CCX)", "Desk phone",
        ("On the phone open Settings → Status → Network → TCP/IP Parameters to see its IP address.",
         "Open https://<that address> in a browser, choose Admin and log in (factory default password: 456).",
         "Go to Settings → Lines → Line 1."),
        (("Identification → Display Name", "display_name"), ("Identification → Address", "username"),
         ("Authentication → User ID", "username"), ("Authentication → Password", "password"),
         ("Server 1 → Address", "server"), ("Server 1 → Port", "port"),
         ("Server 1 → Transport", "=UDPOnly")),
        ("Click Save; the phone restarts its line and shows the extension next to line key 1.",)),
    PhoneGuide(
        "grandstream", "Grandstream (GXP, GRP, WP, HT ATAs)", "Desk phone / adapter",
        ("Press the Up arrow (or Menu → Status) on the phone to see its IP address.",
         "Open http://<that address> in a browser and log in (the admin password is on the label under the phone).",
         "Go to Accounts → Account 1 → General Settings (on HT adapters: FXS Port 1)."),
        (("Account Active", "=Yes"), ("Account Name", "display_name"),
         ("SIP Server", "server_port"), ("SIP User ID", "username"),
         ("SIP Authentication ID", "username"), ("SIP Authentication Password", "password"),
         ("Name", "display_name"), ("Account → Network Settings → SIP Transport", "transport")),
        ("Click Save and Apply. Status → Account Status shows Registered: Yes.",)),
    PhoneGuide(
        "cisco-spa", "Cisco / Linksys SPA (SPA3xx, SPA5xx, SPA112/122 adapters)", "Desk phone / adapter",
        ("Dial **** (or press the Setup button) and choose 110 / Network to hear or see the IP address.",
         "Open http://<that address> in a browser, click Admin Login, then advanced.",
         "Go to Voice → Ext 1 (on adapters: Voice → Line 1)."),
        (("Line Enable", "=yes"), ("Proxy", "server_port"), ("Register", "=yes"),
         ("Display Name", "display_name"), ("User ID", "username"), ("Password", "password"),
         ("Use Auth ID", "=yes"), ("Auth ID", "username"), ("SIP Transport", "transport")),
        ("Click Submit All Changes. Info → Ext 1 Status shows Registration State: Registered.",)),
    PhoneGuide(
        "snom", "Snom (D1xx, D3xx, D7xx, M-series DECT)", "Desk phone",
        ("Press the Settings key → Information → System information to see the IP address.",
         "Open http://<that address> in a browser and log in (set an admin password at first start).",
         "Go to Identity 1 → Login."),
        (("Identity active", "=on"), ("Displayname", "display_name"), ("Account", "username"),
         ("Password", "password"), ("Registrar", "server_port"),
         ("Authentication Username", "username"),
         ("Identity 1 → SIP → Outgoing transport", "transport")),
        ("Click Apply, then Save. The identity shows a green tick once registered.",)),
    PhoneGuide(
        "linphone", "Linphone (Windows, macOS, Linux, Android, iOS)", "App",
        ("Install Linphone from linphone.org, Google Play or the App Store.",
         "Open the assistant: Use a SIP account (desktop: Account → Add a SIP account; "
         "mobile: Use SIP account)."),
        (("Username", "username"), ("Password", "password"), ("Domain", "server_port"),
         ("Display name", "display_name"), ("Transport", "transport")),
        ("Tap or click Login. The dot next to the account turns green when registered.",)),
    PhoneGuide(
        "zoiper", "Zoiper 5 (Windows, macOS, Linux, Android, iOS)", "App",
        ("Install Zoiper from zoiper.com, Google Play or the App Store.",
         "At first start (or Settings → Accounts → Add account) enter the user name and password "
         "below, then the host name.",
         "When asked for a provider choose Skip; let Zoiper find the transport or pick SIP UDP."),
        (("Username / login", "username"), ("Password", "password"),
         ("Hostname / provider", "server_port"), ("Authentication username", "username"),
         ("Transport", "transport")),
        ("Finish. The account shows a green tick when registered.",)),
    PhoneGuide(
        "microsip", "MicroSIP (Windows)", "App",
        ("Install MicroSIP from microsip.org.",
         "Open the menu (the arrow at the top right) → Add Account."),
        (("Account Name", "display_name"), ("SIP Server", "server_port"), ("SIP Proxy", "=leave empty"),
         ("Username", "username"), ("Domain", "server_port"), ("Login", "username"),
         ("Password", "password"), ("Display Name", "display_name"), ("Transport", "transport")),
        ("Click Save. The status bar at the bottom says Online when registered.",)),
    PhoneGuide(
        "bria", "Bria / CounterPath (Bria Solo, Bria Enterprise, X-Lite)", "App",
        ("Open Bria and go to Account Settings (desktop: Softphone menu → Account Settings; "
         "mobile: Settings → Accounts → Add account → SIP).",),
        (("Account name", "display_name"), ("User ID", "username"), ("Domain", "server_port"),
         ("Password", "password"), ("Display name", "display_name"),
         ("Authorization name", "username"), ("Transport (Advanced / Topology)", "transport")),
        ("Save the account and enable it. It shows Available / Ready when registered.",)),
    PhoneGuide(
        "android", "Android built-in SIP calling", "Phone's own dialer",
        ("Android 11 and older (and some Samsung models): Phone app → Settings → Calling accounts "
         "(or Calls → More settings) → SIP accounts → Add.",
         "Android 12 and newer no longer have a SIP client: install Linphone or Zoiper instead (above)."),
        (("Username", "username"), ("Password", "password"), ("Server", "server"),
         ("Optional settings → Authentication username", "username"),
         ("Optional settings → Port number", "port"), ("Optional settings → Transport type", "transport")),
        ("Save, then in Calling accounts choose when to use SIP calling "
         "(for example: Receive incoming calls on).",)),
    PhoneGuide(
        "ios", "iPhone / iPad", "Phone's own dialer",
        ("iOS has no built-in SIP client: install Linphone, Zoiper or Bria from the App Store "
         "and follow that app's instructions above.",),
        ()),
)
