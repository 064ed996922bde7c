"""LittlePBXAdmin: a demonstration page that drives the REST API from the browser with a token."""
from flask import Blueprint, render_template

demo = Blueprint("admin_demo", __name__, url_prefix="/admin-demo",
                 template_folder="templates", static_folder="static")


@demo.get("/")
def page():
    """The single page; everything else it does goes through /api/v1."""
    return render_template("admin_demo/index.html")


def init_app(app) -> None:
    """Register the demo page."""
    app.register_blueprint(demo)
