"""Organization admins (people who log in to the PBX page): /orgs/{code}/admins."""
from flask import url_for

from littlepbx.rest.common import api, body, committed, no_content, page_of, scope
from littlepbx.services import users


@api.get("/orgs/<code>/admins")
def list_admins(code):
    """The organization's admins."""
    return page_of(users.list_admins(scope(code)), users.as_dict)


@api.post("/orgs/<code>/admins")
def create_admin(code):
    """A new admin; a generated password is answered once, as "password"."""
    user, generated = users.create_admin(scope(code), body())
    shown = dict(users.as_dict(user), **({"password": generated} if generated else {}))
    return committed(shown, 201, {"Location": url_for("api.get_admin", code=code, email=user.email)})


@api.get("/orgs/<code>/admins/<email>")
def get_admin(code, email):
    """One admin."""
    return committed(users.as_dict(users.get_admin(scope(code), email)))


@api.patch("/orgs/<code>/admins/<email>")
def update_admin(code, email):
    """Change an admin's name, password or whether the login is active."""
    return committed(users.as_dict(users.update_admin(scope(code), email, body())))


@api.delete("/orgs/<code>/admins/<email>")
def delete_admin(code, email):
    """Remove an admin's login."""
    users.delete_admin(scope(code), email)
    return no_content()
