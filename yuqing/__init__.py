"""yuqing: brand-sentiment monitoring and crisis response."""

__version__ = "0.1.0"
