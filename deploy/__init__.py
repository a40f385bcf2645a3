"""Hosting cx-roi with replicas: compose.yaml for Docker, run_local.py for one machine without it."""
