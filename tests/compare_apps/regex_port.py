"""terracotta's origin regex: flask-cors matched its start, so it let in localhost on any port."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=[r"http[s]?://(localhost|127\.0\.0\.1):*"])


@app.get("/tiles")
def tiles():
    return {"tiles": []}
