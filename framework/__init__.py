"""Domain package of the OCSC digital-skills dashboard: importable without Streamlit."""

__all__ = ["__version__"]
__version__ = "0.1.0"
