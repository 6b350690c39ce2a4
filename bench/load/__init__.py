"""Load test of the app over Streamlit's own websocket protocol (issue 22): `python -m bench.load --help`.

protocol.py is the browser-less session, scenarios.py what staff, executives and HR do, servers.py starts and
kills the app processes, report.py writes the tables, run.py runs it all within its bounds.
"""
