"""Decorated views flask-crossorigin refuses: a misspelt option (flask-cors logs it and allows
every origin), a bare decorator over a credentialed app config, and a credentialed view open to
every origin (flask-cors echoes any origin with credentials)."""

from flask import Flask
from flask_cors import cross_origin

app = Flask(__name__)


@app.get("/typo")
@cross_origin(origin_s=["https://app.example.com"])
def typo():
    return {"typo": True}


@app.get("/account")
@cross_origin(supports_credentials=True)
def account():
    return {"balance": 1}


@app.get("/plain")
@cross_origin
def plain():
    return {"plain": True}
