"""allow_headers as one comma-separated string: flask-cors compared it as a single name."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins="https://app.example.com", allow_headers="Content-Type, Authorization")


@app.route("/messages", methods=["GET", "POST"])
def messages():
    return {"messages": []}
