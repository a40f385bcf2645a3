# cx-roi dashboard: a Streamlit app on Python 3.11 (the version the test suite runs on).
#
#   docker build -t cx-roi .
#   docker run --rm -p 8501:8501 cx-roi        # then open http://localhost:8501
#
# See docs/deploy.md for Community Cloud and for several replicas behind a load balancer.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    STREAMLIT_SERVER_HEADLESS=true \
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false

WORKDIR /app

# Dependencies first, in their own layer, so code changes do not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

# The app itself (what goes in is listed in .dockerignore). Files stay owned by
# root and read-only to the app user: the server never needs to write to them.
COPY . .

# A non-root user with a home directory (Streamlit keeps a small ~/.streamlit there).
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app
USER app

EXPOSE 8501

# The slim image has no curl; Python's urllib asks Streamlit's own health endpoint.
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://localhost:8501/_stcore/health', timeout=4); sys.exit(0 if r.status == 200 else 1)"]

CMD ["streamlit", "run", "app.py", "--server.address=0.0.0.0", "--server.port=8501"]
