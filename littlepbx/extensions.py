"""Flask extensions, created once and bound to an app in create_app."""
from flask_login import LoginManager
from flask_mail import Mail
from flask_wtf.csrf import CSRFProtect

from littlepbx.database import Database

db = Database()
login_manager = LoginManager()
mail = Mail()
csrf = CSRFProtect()
