"""A subdomain glob: flask-cors reads it as a regex that matches no subdomain at all."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, resources={r"/api/*": {"origins": "https://*.example.com"}})


@app.get("/api/profile")
def profile():
    return {"name": "ada"}
