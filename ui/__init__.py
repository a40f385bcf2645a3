"""The dashboard's support code: state (session and URL), cached model calls, controls,
formatting, charts and page building blocks. ``cx_roi`` never imports this package."""
