"""CORS(app) called twice: flask-cors stacks both policies, flask-crossorigin keeps the last
(and warns)."""

from flask import Flask, redirect
from flask_cors import CORS

app = Flask(__name__)
CORS(app, origins=["https://a.example.com"], headers=["Content-Type"])
CORS(app, origins=["https://b.example.com"])


@app.get("/items")
def items():
    return {"items": []}


@app.get("/moved")
def moved():
    return redirect("https://elsewhere.example/items")
