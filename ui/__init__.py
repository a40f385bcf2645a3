"""The dashboard's support code: state (session and URL), cached model calls, controls, charts,
tables and page building blocks. Number formatting and the verdict live in ``cx_roi``, which never
imports this package."""
