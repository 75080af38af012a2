"""A view that lists OPTIONS and answers preflights from each resource's own rules (moto's
shape), next to one that lists OPTIONS only because an old answer said so."""

from flask import Flask, request
from flask_cors import CORS

app = Flask(__name__)
CORS(app)

BUCKET_ORIGINS = {"https://bucket-site.example"}


@app.route("/bucket/<name>", methods=["GET", "PUT", "OPTIONS"])
def bucket(name):
    origin = request.headers.get("Origin", "")
    if request.method == "OPTIONS":
        if origin not in BUCKET_ORIGINS:
            return "CORSResponse: origin not allowed", 403
        return "", 200, {
            "Access-Control-Allow-Origin": origin,
            "Access-Control-Allow-Methods": "GET, PUT",
            "Access-Control-Allow-Headers": request.headers.get(
                "Access-Control-Request-Headers", ""
            ),
        }
    return {"bucket": name}


@app.route("/legacy", methods=["GET", "POST", "OPTIONS"])
def legacy():
    if request.method == "OPTIONS":
        return {"allow": ["GET", "POST"]}
    return {"legacy": True}
