"""The `littlepbx` command: database, users, organizations, tokens, worker, web server, Apply."""
from __future__ import annotations

import sys
import time

import click

from littlepbx.errors import LittlePBXError


def _app():
    from littlepbx import create_app
    return create_app()


def _database():
    """The database of the configured app (the CLI's own engine)."""
    from littlepbx.extensions import db
    return db.of(_app())


def _fail_clearly(func):
    """Turn service errors into a one-line message and exit status 1 instead of a traceback."""
    import functools

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except LittlePBXError as exc:
            fields = "; ".join(f"{k}: {v}" for k, v in exc.fields.items())
            raise click.ClickException(exc.message + (f" ({fields})" if fields else "")) from None
    return wrapper


@click.group()
@click.option("-v", "--verbose", is_flag=True, help="Log at debug level.")
def main(verbose: bool) -> None:
    """LittlePBX: many organizations, one shared PBX."""
    from littlepbx import logs
    logs.configure(verbose)


@main.group("db")
def db_group() -> None:
    """Schema migrations."""


@db_group.command("upgrade")
@click.argument("revision", default="heads")
def db_upgrade(revision: str) -> None:
    """Bring the database schema up to date."""
    from littlepbx import database
    database.upgrade(_app().config["DATABASE_URL"], revision)
    click.echo("database schema is up to date")


@db_group.command("revision")
@click.argument("name")
def db_revision(name: str) -> None:
    """Write the migration a new or changed kind needs (compared with the database's schema)."""
    from littlepbx import database
    database.new_revision(_app().config["DATABASE_URL"], name)


@db_group.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Take the database schema back to REVISION ('base' removes every table)."""
    from littlepbx import database
    database.downgrade(_app().config["DATABASE_URL"], revision)


@main.command("create-operator")
@click.argument("email")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@_fail_clearly
def create_operator(email: str, password: str) -> None:
    """Create an operator login (every organization)."""
    from littlepbx.models import ROLE_OPERATOR
    from littlepbx.services.users import create_user
    with _database().session() as session:
        create_user(session, email, password, ROLE_OPERATOR)
    click.echo(f"operator {email} created")


@main.command("create-org")
@click.argument("code")
@click.argument("name")
@click.argument("admin_email")
@_fail_clearly
def create_org(code: str, name: str, admin_email: str) -> None:
    """Create an organization."""
    from littlepbx.services import orgs
    from littlepbx.tenancy import SYSTEM
    with _database().session() as session:
        orgs.create_org(session, SYSTEM, {"code": code, "name": name, "admin_email": admin_email})
    click.echo(f"organization {code} created")


@main.command("create-admin")
@click.argument("org")
@click.argument("email")
@click.option("--password", default=None, help="Generated and printed when omitted.")
@_fail_clearly
def create_admin(org: str, email: str, password: str | None) -> None:
    """Create an organization admin login."""
    from littlepbx.services import users
    from littlepbx.tenancy import SYSTEM, open_scope
    with _database().session() as session:
        _, generated = users.create_admin(open_scope(session, SYSTEM, org),
                                          {"email": email, "password": password})
    click.echo(f"admin {email} of {org} created" + (f"; password: {generated}" if generated else ""))


@main.command("create-token")
@click.argument("name")
@click.option("--org", default=None, help="Limit the token to this organization.")
@_fail_clearly
def create_token(name: str, org: str | None) -> None:
    """Create an API token and print it (it is shown only this once)."""
    from littlepbx.services.tokens import create_token as make
    from littlepbx.tenancy import SYSTEM
    with _database().session() as session:
        _, plain = make(session, SYSTEM, {"name": name, "org": org})
    click.echo(plain)


@main.command("apply")
@click.argument("org")
@click.option("--wait/--no-wait", default=True, help="Wait until the run has ended.")
@click.option("--timeout", default=600, help="Seconds to wait at most.")
@_fail_clearly
def apply(org: str, wait: bool, timeout: int) -> None:
    """Request an Apply of ORG (the worker executes it) and report how it ended."""
    from littlepbx.applier.runs import describe
    from littlepbx.applier.states import FINAL_STATES
    from littlepbx.applier.wake import wake
    from littlepbx.extensions import db
    from littlepbx.models import ApplyRun
    from littlepbx.services import apply as apply_service
    from littlepbx.tenancy import ROLE_SYSTEM, Actor, open_scope
    app = _app()
    database = db.of(app)
    with database.session() as session:
        run = apply_service.request_apply(open_scope(session, Actor("cli", ROLE_SYSTEM), org))
    wake(app.config["DATA_DIR"])
    click.echo(f"run {run.id} queued")
    deadline = time.monotonic() + timeout
    while wait:
        with database.session() as session:
            run = session.get(ApplyRun, run.id)
            if run.state in FINAL_STATES or time.monotonic() > deadline:
                break
        time.sleep(0.5)
    click.echo(f"run {run.id}: {describe(run)}")
    if wait and run.state != "applied":
        sys.exit(1)


@main.command("backup")
@click.argument("archive", type=click.Path(dir_okay=False))
@click.option("--org", default=None, help="Only this organization (default: the whole system).")
@_fail_clearly
def backup(archive: str, org: str | None) -> None:
    """Write ARCHIVE (.tar.gz, readable by its owner only): rows, music, prompts, recordings, voicemail."""
    from littlepbx.extensions import db, get_backend
    from littlepbx.services.backup import backup as make_backup
    app = _app()
    manifest = make_backup(db.of(app), get_backend(app), app.config["DATA_DIR"], archive, org)
    click.echo(f"{archive}: {len(manifest['orgs'])} organization(s)"
               + (" and the system's operators and tokens" if manifest["whole_system"] else "")
               + f", schema {manifest['schema']}")


@main.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False))
@click.option("--org", default=None, help="Only this organization of the archive (default: all of it).")
@_fail_clearly
def restore(archive: str, org: str | None) -> None:
    """Bring back the organizations of ARCHIVE as they were; an organization of the same code here
    is replaced, every other one is left alone."""
    from littlepbx.extensions import db, get_backend
    from littlepbx.services.backup import restore as bring_back
    app = _app()
    click.echo(str(bring_back(db.of(app), get_backend(app), app.config["DATA_DIR"], archive, org,
                              actor="littlepbx restore")))


@main.command("health")
def health() -> None:
    """Check the database, the PBX's management interface and its SIP port; exit 1 if one fails."""
    from sqlalchemy import text

    from littlepbx import database
    from littlepbx.extensions import get_backend
    app = _app()
    failed = False
    try:
        with _database().session() as session:
            session.execute(text("SELECT 1"))
        click.echo(f"database: answers (schema {database.schema_state(app.config['DATABASE_URL'])})")
    except Exception as error:  # any failure is the answer here
        failed = True
        click.echo(f"database: {error}")
    report = get_backend(app).health()
    for name, value in report.items():
        if name != "ok":
            click.echo(f"pbx {name}: {value}")
    if failed or not report.get("ok"):
        sys.exit(1)


@main.command("mail-test")
@click.argument("address")
def mail_test(address: str) -> None:
    """Send a test message to ADDRESS with the MAIL_* settings; say exactly what failed, if anything."""
    from littlepbx.mail import MailError, security_of, send
    config = _app().config
    how = {"ssl": "TLS", "starttls": "STARTTLS", "none": "no encryption"}[security_of(config)]
    login = f", as {config['MAIL_USERNAME']}" if config.get("MAIL_USERNAME") else ", no login"
    where = f"{config['MAIL_SERVER']}:{config['MAIL_PORT']} ({how}{login})"
    try:
        send(config, address, "LittlePBX test message",
             f"Hello,\n\nThis message was sent by `littlepbx mail-test` through {where}.\n"
             "Apply notices and voicemail messages use the same settings.\n\n-- LittlePBX\n")
    except MailError as error:
        raise click.ClickException(f"not sent: {error}") from None
    click.echo(f"sent to {address} through {where}")


@main.command("bootstrap")
@click.option("--credentials-file", type=click.Path(dir_okay=False), required=True)
@click.option("--demo/--no-demo", default=True, help="Also create the demo organization.")
@_fail_clearly
def bootstrap(credentials_file: str, demo: bool) -> None:
    """Ensure an operator, a system API token and the demo organization; write their credentials."""
    from pathlib import Path

    from littlepbx.services.bootstrap import bootstrap as run_bootstrap
    app = _app()
    sip = {"server": app.config.get("SIP_PUBLIC_HOST") or app.config["ASTERISK_SIP_HOST"],
           "port": app.config["ASTERISK_SIP_PORT"]}
    from littlepbx.extensions import db
    with db.of(app).session() as session:
        run_bootstrap(session, Path(credentials_file), app.config["PUBLIC_URL"], sip, demo)
    click.echo(f"credentials written to {credentials_file}")


@main.command("config-file")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--set", "values", multiple=True, metavar="KEY=VALUE", help="A key to write if missing.")
@click.option("--secret", "secrets", multiple=True, metavar="KEY=LENGTH",
              help="A secret to generate if missing.")
@click.option("--replace", "replaced", multiple=True, metavar="KEY=VALUE",
              help="A key to write whether or not it is there (what the operator gave this time).")
def config_file(path: str, values: tuple[str, ...], secrets: tuple[str, ...], replaced: tuple[str, ...]) -> None:
    """Add the keys missing from the config file at PATH; keys already there are kept unless
    replaced (install.sh)."""
    from littlepbx.config import ensure_file
    wanted = dict(value.split("=", 1) for value in values)
    generated = {key: int(length) for key, length in (secret.split("=", 1) for secret in secrets)}
    added, changed = ensure_file(path, wanted, generated, dict(value.split("=", 1) for value in replaced))
    said = [f"added {', '.join(added)}"] * bool(added) + [f"replaced {', '.join(changed)}"] * bool(changed)
    click.echo(f"{path}: {'; '.join(said)}" if said else f"{path}: every key was there; nothing changed")


@main.command("worker")
def worker() -> None:
    """Run the Apply worker in the foreground."""
    from littlepbx.applier.shards import Shards, process_count, worker_config
    from littlepbx.applier.worker import Worker, WorkerAlreadyRunning
    from littlepbx.extensions import build_applier
    app = _app()
    poll = float(app.config["WORKER_POLL_SECONDS"])
    processes = process_count(app.config["WORKER_PROCESSES"])
    shards = Shards(shard_applier, worker_config(app.config), processes, poll,
                    threads=max(2, 8 // processes)) if processes > 1 else None
    try:
        Worker(build_applier(app), poll, shards=shards).run_forever()
    except WorkerAlreadyRunning as exc:
        raise click.ClickException(str(exc)) from None


def shard_applier(config: dict):
    """The Applier of a worker process (applier/shards.py), built from the worker's settings."""
    from littlepbx import create_app
    from littlepbx.extensions import build_applier
    return build_applier(create_app(config))


@main.command("serve")
@click.option("--host", default=None)
@click.option("--port", default=None, type=int)
def serve(host: str | None, port: int | None) -> None:
    """Serve the pages and the REST API (waitress, in the foreground)."""
    from waitress import serve as waitress_serve
    app = _app()
    # waitress refuses a body larger than the app would accept before reading it (413), so a
    # client cannot make the server read and buffer gigabytes only to be told no.
    waitress_serve(app, host=host or app.config["LISTEN_HOST"], port=port or app.config["LISTEN_PORT"],
                   threads=8, ident="LittlePBX", max_request_body_size=int(app.config["MAX_CONTENT_LENGTH"]))


if __name__ == "__main__":
    main()
