"""The classic CORS_HEADERS key: flask-cors 6 ignores it, flask-crossorigin honours it."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
app.config["CORS_HEADERS"] = "Content-Type"
CORS(app)


@app.route("/notes", methods=["GET", "POST"])
def notes():
    return {"notes": []}
