"""The pages: login, the organization's PBX page, its stats and the phone set-up help."""
from littlepbx.extensions import login_manager


def init_app(app) -> None:
    """Register the pages' blueprint and the per-address login throttle."""
    from littlepbx.web.throttle import AddressThrottle
    from littlepbx.web.views import bp
    app.register_blueprint(bp)
    app.extensions["littlepbx.login_throttle"] = AddressThrottle()
    login_manager.login_view = "web.login"
    login_manager.login_message = "Please log in to see this page."
