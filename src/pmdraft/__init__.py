"""pmdraft: turn the raw exports of a production incident into a blameless post-mortem draft."""

__version__ = "0.1.0"
