"""supports_credentials with the default origins '*': flask-cors echoes any origin with
credentials; flask-crossorigin refuses the set-up."""

from flask import Flask
from flask_cors import CORS

app = Flask(__name__)
CORS(app, supports_credentials=True)


@app.get("/account")
def account():
    return {"balance": 100}
