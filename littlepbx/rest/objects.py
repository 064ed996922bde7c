"""The REST routes of every kind of organization configuration, made from its declaration:
GET (paged) and POST on /orgs/{code}/<kind>, and GET, PATCH, PUT, DELETE on one object."""
from __future__ import annotations

from functools import partial

from flask import current_app, url_for

from littlepbx.extensions import get_backend
from littlepbx.kinds import Kind, all_kinds
from littlepbx.rest.common import api, body, committed, no_content, page_params, paginated, scope
from littlepbx.services import objects


def collection_path(kind: Kind) -> str:
    """/orgs/<code>/<kind>."""
    return f"/orgs/<code>/{kind.name}"


def item_path(kind: Kind) -> str:
    """/orgs/<code>/<kind>/<key> (a closed set of keys is spelled out; the organization's only
    object of a singleton kind is /orgs/<code>/<kind>)."""
    if kind.key is None:
        return collection_path(kind)
    if kind.key_values:
        return f"{collection_path(kind)}/<any({', '.join(kind.key_values)}):{kind.key}>"
    return f"{collection_path(kind)}/<{kind.key}>"


def endpoint(kind: Kind, operation: str) -> str:
    """The Flask endpoint of one generic route: "extensions_get"."""
    return f"{kind.name}_{operation}"


def answer(org_scope, kind: Kind, rows: list) -> list[dict]:
    """Rows in their public shape, with the kind's computed answers (some ask the PBX)."""
    return objects.answers(org_scope, kind, rows, get_backend(current_app))


def list_objects(kind: Kind, code: str):
    """One page of the organization's draft objects."""
    offset, limit = page_params()
    org_scope = scope(code)
    rows, total = objects.page(org_scope, kind, offset, limit)
    return paginated(answer(org_scope, kind, rows), total, offset, limit)


def create_object(kind: Kind, code: str):
    """A new draft object: 201 with it and its Location."""
    org_scope = scope(code)
    row = objects.create(org_scope, kind, body())
    key = kind.key_of(row)[0]
    return committed(answer(org_scope, kind, [row])[0], 201,
                     {"Location": url_for(f"api.{endpoint(kind, 'get')}", code=code, **{kind.key: key})})


def key_of(kind: Kind, key: dict):
    """The object's key from the URL's parameters (None: a singleton)."""
    return key[kind.key] if kind.key else None


def get_object(kind: Kind, code: str, **key):
    """One draft object."""
    org_scope = scope(code)
    return committed(answer(org_scope, kind, [objects.get(org_scope, kind, key_of(kind, key))])[0])


def update_object(kind: Kind, code: str, **key):
    """Change some fields of a draft object."""
    org_scope = scope(code)
    return committed(answer(org_scope, kind, [objects.update(org_scope, kind, key_of(kind, key), body())])[0])


def put_object(kind: Kind, code: str, **key):
    """Create or replace the object at its key."""
    org_scope = scope(code)
    return committed(answer(org_scope, kind, [objects.put(org_scope, kind, key[kind.key], body())])[0])


def delete_object(kind: Kind, code: str, **key):
    """Delete a draft object: 204, or 200 naming the objects that lost their reference to it."""
    released = objects.delete(scope(code), kind, key[kind.key])
    names = unrouted_fields(kind)
    if not names:
        return no_content()
    return committed({name: released.get(name, []) for name in names})


def unrouted_fields(kind: Kind) -> list[str]:
    """The names of the lists a delete answers: "unrouted_<kind>" per kind that refers with set_null."""
    return [f"unrouted_{other.name}" for other in all_kinds()
            for rule in other.fields.values() if kind.name in rule.targets() and rule.on_delete == "set_null"]


ROUTES = {
    "list": (collection_path, "GET", list_objects),
    "create": (collection_path, "POST", create_object),
    "get": (item_path, "GET", get_object),
    "update": (item_path, "PATCH", update_object),
    "put": (item_path, "PUT", put_object),
    "delete": (item_path, "DELETE", delete_object),
}


def register_routes() -> None:
    """Add the generic routes of every kind to the API blueprint."""
    for kind in all_kinds():
        for operation in sorted(kind.routes):
            path, method, view = ROUTES[operation]
            api.add_url_rule(path(kind), endpoint(kind, operation), partial(view, kind), methods=[method])


register_routes()
