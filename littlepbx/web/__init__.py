"""The pages: login, the organization's PBX page, its stats and the phone set-up help."""
from littlepbx.extensions import login_manager


def init_app(app) -> None:
    """Register the pages' blueprint and the login throttle."""
    from littlepbx.web import accounts, logins  # noqa: F401  (their routes are on the pages' blueprint)
    from littlepbx.web.throttle import LoginThrottle
    from littlepbx.web.views import bp, security_headers
    app.register_blueprint(bp)
    app.after_request(security_headers)
    app.extensions["littlepbx.login_throttle"] = LoginThrottle()
    login_manager.login_view = "web.login"
    login_manager.login_message = "Please log in to see this page."
