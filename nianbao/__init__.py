"""nianbao (年报): find, parse and check Chinese government information-disclosure annual reports."""

__version__ = "0.1.0"
