"""maildoctor: finds out why an email account cannot send or receive."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("maildoctor")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"

__all__ = ["__version__"]
