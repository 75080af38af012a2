"""A larger API: an app factory, three blueprints, a resources dict with literal and regex
origins, credentials, exposed headers, decorated views and 48 routes. The largest example; the
closing note times `flask cors compare` on it."""

from flask import Blueprint, Flask, jsonify, request
from flask_cors import CORS, cross_origin

RESOURCES = {
    r"/api/v1/*": {
        "origins": ["https://app.example.com", r"https://.*\.staging\.example\.com"],
        "supports_credentials": True,
        "expose_headers": ["X-Total-Count"],
    },
    r"/public/*": {"origins": "*"},
}


def _collection(bp, name):
    @bp.route(f"/{name}", methods=["GET", "POST"], endpoint=f"{name}_list")
    def listing():
        if request.method == "POST":
            return jsonify(created=request.get_json(silent=True)), 201
        return jsonify([]), 200, {"X-Total-Count": "0"}

    @bp.route(f"/{name}/<int:item_id>", methods=["GET", "PUT", "DELETE"], endpoint=f"{name}_item")
    def item(item_id):
        return {"id": item_id, "method": request.method}


def create_app():
    app = Flask(__name__)
    v1 = Blueprint("v1", __name__, url_prefix="/api/v1")
    public = Blueprint("public", __name__, url_prefix="/public")
    internal = Blueprint("internal", __name__, url_prefix="/internal")
    for name in ("users", "orders", "invoices", "products", "carts", "reviews", "coupons",
                 "shipments", "returns", "payments", "refunds", "tickets"):
        _collection(v1, name)
    for name in ("catalog", "prices", "stores", "news", "faq", "status"):
        public.add_url_rule(f"/{name}", f"{name}", lambda name=name: {"page": name})
    for name in ("metrics", "jobs", "queues", "flags", "audit"):
        internal.add_url_rule(f"/{name}", f"{name}", lambda name=name: {"internal": name})

    @internal.route("/webhook", methods=["POST"])
    @cross_origin(origins=["https://hooks.partner.example"], methods=["POST"])
    def webhook():
        return "", 204

    app.register_blueprint(v1)
    app.register_blueprint(public)
    app.register_blueprint(internal)
    CORS(app, resources=RESOURCES)
    return app
