"""An app factory with an init_app extension: the same under both."""

from flask import Flask
from flask_cors import CORS

cors = CORS()


def create_app(origins=("https://app.example.com",)):
    app = Flask(__name__)
    cors.init_app(app, origins=list(origins), expose_headers=["X-Request-Id"])

    @app.route("/orders", methods=["GET", "POST", "PATCH"])
    def orders():
        return {"orders": []}, 200, {"X-Request-Id": "r-1"}

    return app
