"""Piano Emotion Manager: the business app of piano technicians."""

__version__ = "0.1.0"
