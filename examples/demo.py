"""`make demo`: an API on http://localhost:5000 and a page on http://127.0.0.1:5001 that calls it.

The two URLs differ in host, so they are different origins and every call from the page is a
real cross-origin request, checked by your browser. Open http://127.0.0.1:5001 and press the
buttons; Ctrl-C stops both servers.
"""

from __future__ import annotations

import threading
from typing import Any

from flask import Flask, abort, jsonify, request
from werkzeug.serving import make_server

from flask_crossorigin import CORS, cross_origin

PAGE_ORIGIN = "http://127.0.0.1:5001"


def create_api() -> Flask:
    """The example API: one policy for /api/*, a stricter one on a single view."""
    api = Flask("demo_api")
    CORS(
        api,
        resources={r"/api/*": {"origins": [PAGE_ORIGIN], "expose_headers": ["X-Total-Count"]}},
        max_age=600,
    )

    @api.get("/api/items")
    def items() -> Any:
        response = jsonify(["apple", "pear"])
        response.headers["X-Total-Count"] = "2"
        return response

    @api.post("/api/items")
    def add_item() -> Any:
        return jsonify(received=request.get_json(silent=True)), 201

    @api.delete("/api/items/<int:item>")
    def delete_item(item: int) -> Any:
        return jsonify(deleted=item)

    @api.get("/api/missing")
    def missing() -> Any:
        abort(404)

    @api.get("/private")
    @cross_origin(origins=["https://admin.example.com"])
    def private() -> Any:
        return jsonify(secret="only admin.example.com may read this")

    return api


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>flask-crossorigin demo</title>
<style>body{font:15px system-ui;margin:2em;max-width:60em}button{margin:.2em}
pre{background:#f4f4f4;padding:1em;white-space:pre-wrap}</style></head>
<body>
<h1>flask-crossorigin demo</h1>
<p>This page is served from <code>http://127.0.0.1:5001</code>; the API lives at
<code>http://localhost:5000</code>, another origin. Each button makes a real
<code>fetch()</code>; your browser enforces CORS.</p>
<button data-method="GET" data-path="/api/items">GET /api/items (allowed)</button>
<button data-method="POST" data-path="/api/items" data-json='{"name":"plum"}'>
POST JSON (preflighted, allowed)</button>
<button data-method="DELETE" data-path="/api/items/1">DELETE (preflighted, allowed)</button>
<button data-method="GET" data-path="/api/missing">GET a 404 (readable)</button>
<button data-method="GET" data-path="/private">GET /private (blocked: other origin only)</button>
<pre id="out">Press a button.</pre>
<script>
const API = "http://localhost:5000";
for (const button of document.querySelectorAll("button")) {
  button.addEventListener("click", async () => {
    const init = {method: button.dataset.method, headers: {}};
    if (button.dataset.json) {
      init.body = button.dataset.json;
      init.headers["Content-Type"] = "application/json";
    }
    const out = document.getElementById("out");
    try {
      const response = await fetch(API + button.dataset.path, init);
      const readable = [...response.headers].map(([k, v]) => k + ": " + v).join("\\n");
      out.textContent = "ALLOWED: " + response.status + "\\n" + readable + "\\n\\n"
        + await response.text();
    } catch (error) {
      out.textContent = "BLOCKED by the browser: " + error
        + "\\n(open DevTools > Console for the browser's own explanation)";
    }
  });
}
</script>
</body></html>
"""


def create_page() -> Flask:
    """The static page, on its own origin."""
    page = Flask("demo_page")

    @page.get("/")
    def index() -> str:
        return PAGE

    return page


def main() -> None:
    servers = [
        make_server("localhost", 5000, create_api(), threaded=True),
        make_server("127.0.0.1", 5001, create_page(), threaded=True),
    ]
    threads = [threading.Thread(target=server.serve_forever, daemon=True) for server in servers]
    for thread in threads:
        thread.start()
    print("API:  http://localhost:5000  (policy: /api/* allows http://127.0.0.1:5001)")
    print("Page: http://127.0.0.1:5001  <- open this; Ctrl-C stops both")
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        print("\nstopping")
    finally:
        for server in servers:
            server.shutdown()


if __name__ == "__main__":
    main()
