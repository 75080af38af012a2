"""A resource pattern ending in /*: flask-cors also covered /api/v10 under r"/api/v1/*"."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, resources={r"/api/v1/*": {"origins": "https://app.example.com"}})


@app.get("/api/v1/users")
def users_v1():
    return {"users": []}


@app.get("/api/v10/users")
def users_v10():
    return {"users": []}
