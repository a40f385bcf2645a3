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
    STREAMLIT_BROWSER_GATHER_USAGE_STATS=false \
    STREAMLIT_SERVER_ADDRESS=0.0.0.0 \
    STREAMLIT_SERVER_PORT=8501

WORKDIR /app

# Dependencies first, in their own layer, so code changes do not reinstall them.
COPY requirements.txt .
RUN pip install -r requirements.txt

# The app itself (what goes in is listed in .dockerignore). Files stay owned by
# root and read-only to the app user: the server never needs to write to them.
COPY . .

# A non-root user with a home directory (Streamlit keeps a small ~/.streamlit there), and the team
# library's folder made now, as the user's: a volume mounted there (docs/deploy.md) takes its owner
# from the image, where a folder Docker made for it would be root's and the library unwritable.
RUN useradd --create-home --uid 10001 --shell /usr/sbin/nologin app \
    && install -d -o app -g app /home/app/.cx-roi
USER app

EXPOSE 8501

# The slim image has no curl; Python's urllib asks Streamlit's own health endpoint, at the port and
# base path the container runs with (docker run -e STREAMLIT_SERVER_PORT=... changes both).
HEALTHCHECK --interval=30s --timeout=5s --start-period=40s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; b = os.environ.get('STREAMLIT_SERVER_BASE_URL_PATH', '').strip('/'); u = 'http://localhost:' + os.environ.get('STREAMLIT_SERVER_PORT', '8501') + '/' + (b + '/' if b else '') + '_stcore/health'; sys.exit(0 if urllib.request.urlopen(u, timeout=4).status == 200 else 1)"]

# Address and port come from the environment above, so `docker run -e STREAMLIT_SERVER_PORT=8080`
# moves the server (options given here would win over it).
CMD ["streamlit", "run", "app.py"]
