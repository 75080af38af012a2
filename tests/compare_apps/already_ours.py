"""An app that already moved to flask-crossorigin."""

from flask import Flask

from flask_crossorigin import CORS

app = Flask(__name__)
CORS(app, origins=["https://app.example.com"])


@app.get("/")
def index():
    return "hi"
