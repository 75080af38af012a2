"""An app whose module raises while it is imported."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app)
raise RuntimeError("DATABASE_URL is not set")
