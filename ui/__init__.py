"""Streamlit-side helpers shared by app.py and pages/ (layout only; rules live in framework/)."""
