"""An app factory whose init_app options flask-crossorigin refuses (an origin no browser sends),
and a CORS() given a misspelt option before the app exists."""

from flask import Flask
from flask_cors import CORS

cors = CORS(send_wildcards=True)


def create_app():
    app = Flask(__name__)

    @app.get("/status")
    def status():
        return {"ok": True}

    CORS(app, origin_s="https://app.example.com")
    cors.init_app(app, origins="localhost:3000")
    return app
