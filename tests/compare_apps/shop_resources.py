"""A resources dict with literal origins: reads the same under both."""

from flask import Flask, jsonify
from flask_cors import CORS

app = Flask(__name__)
CORS(
    app,
    resources={r"/api/*": {"origins": ["https://shop.example.com", "http://localhost:3000"]}},
)


@app.route("/api/items", methods=["GET", "POST"])
def items():
    return jsonify(items=[])


@app.route("/api/items/<int:item_id>", methods=["GET", "PUT", "DELETE"])
def item(item_id):
    return {"id": item_id}


@app.get("/health")
def health():
    return "ok"
