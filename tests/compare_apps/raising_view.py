"""A view that raises: both sides answer 500, with their CORS headers."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=["https://app.example.com"])


@app.get("/boom")
def boom():
    raise KeyError("missing")


@app.get("/fine")
def fine():
    return "fine"
