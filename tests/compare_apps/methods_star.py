"""methods='*': flask-cors sends no Access-Control-Allow-Methods for it."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=["https://app.example.com"], methods="*")


@app.route("/files/<path:name>", methods=["GET", "PUT", "DELETE"])
def files(name):
    return {"file": name}
