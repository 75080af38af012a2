"""An app that imports a flask-cors internal, which flask-crossorigin does not provide."""

from flask import Flask
from flask_cors import CORS
from flask_cors.core import probably_regex

app = Flask(__name__)
CORS(app, origins=[o for o in ["https://app.example.com"] if not probably_regex(o)])


@app.get("/")
def index():
    return "hi"
