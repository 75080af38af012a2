"""An authentication hook that answers 401 to every request without a token, preflights
included: under flask-cors every preflighted call fails."""

from flask import Flask, request
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=["https://dashboard.example.com"], supports_credentials=True)


@app.before_request
def require_token():
    if not request.headers.get("Authorization", "").startswith("Bearer "):
        return {"error": "unauthorized"}, 401
    return None


@app.route("/reports", methods=["GET", "POST"])
def reports():
    return {"reports": []}
