"""An origin callable: flask-crossorigin asks it per request; flask-cors 6 cannot use one."""

from flask import Flask
from flask_cors import CORS

TRUSTED = {"https://app.example.com"}


def is_trusted(origin):
    return origin in TRUSTED


app = Flask(__name__)
CORS(app, origins=is_trusted)


@app.get("/data")
def data():
    return {"data": 1}
