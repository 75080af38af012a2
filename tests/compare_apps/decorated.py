"""@cross_origin on single views, no CORS(app): the same under both."""

from flask import Flask
from flask_cors import cross_origin

app = Flask(__name__)


@app.route("/public")
@cross_origin()
def public():
    return {"public": True}


@app.route("/partner", methods=["GET", "POST"])
@cross_origin(origins=["https://partner.example.org"], allow_headers=["Content-Type"])
def partner():
    return {"partner": True}


@app.get("/private")
def private():
    return {"private": True}
