"""CORS_* config keys and credentials for a listed origin: the same under both."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
app.config["CORS_ORIGINS"] = ["https://app.example.com"]
app.config["CORS_SUPPORTS_CREDENTIALS"] = True
app.config["CORS_EXPOSE_HEADERS"] = ["X-Total-Count"]
CORS(app)


@app.get("/me")
def me():
    return {"user": "ada"}, 200, {"X-Total-Count": "1"}
