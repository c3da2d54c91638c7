"""The yardstick of bench/pages.py: a bare Flask app answering "Hello", served like the hub."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello():
    return "Hello"
