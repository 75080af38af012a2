"""CORS on one blueprint only: the same under both."""

from flask import Blueprint, Flask
from flask_cors import CORS

api = Blueprint("api", __name__, url_prefix="/api")
CORS(api, origins=["https://app.example.com"], methods=["GET", "POST"])


@api.route("/things", methods=["GET", "POST"])
def things():
    return {"things": []}


admin = Blueprint("admin", __name__, url_prefix="/admin")


@admin.get("/stats")
def stats():
    return {"ok": True}


app = Flask(__name__)
app.register_blueprint(api)
app.register_blueprint(admin)
