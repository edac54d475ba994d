"""msgen: typed Python packages from AsyncAPI descriptions of WebSocket protocols."""

__version__ = "0.1.0"
