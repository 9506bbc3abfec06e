# The Spotify listening-history API, served by gunicorn on $PORT (default 8080).
# Pictures beside the bars from the keyless sources (Spotify oEmbed, Deezer) are on: see docs/artwork.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    UPLOAD_DIR=/tmp/spotify_sessions \
    PORT=8080 \
    ARTWORK_SOURCES=spotify,oembed,deezer

# Debian's ffmpeg is built with libx264; fonts come from pip (requirements.txt), not apt.
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY backend/ backend/
COPY src/ src/
COPY env/.env.example env/.env.example
# The bytecode is compiled once here: with PYTHONDONTWRITEBYTECODE every start (each gunicorn worker, each machine
# woken from idle) would compile the service again, about 0.1 s of CPU each.
RUN python -m compileall -q backend src

RUN useradd --create-home --uid 10001 --user-group app \
    && mkdir -p "$UPLOAD_DIR" \
    && chown app:app "$UPLOAD_DIR"

USER app
# Build matplotlib's font cache now, as the user that serves, so the first chart is not slow.
RUN python -c "import matplotlib.font_manager"

VOLUME ["/tmp/spotify_sessions"]
EXPOSE 8080

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import os, sys, urllib.request; url = 'http://127.0.0.1:' + os.environ.get('PORT', '8080') + '/health'; sys.exit(0 if urllib.request.urlopen(url, timeout=4).status == 200 else 1)"]

# sh -c so that $PORT expands; exec so gunicorn is PID 1 and receives docker stop's SIGTERM.
# No control socket: nothing in the container uses gunicorn's runtime control interface.
CMD ["sh", "-c", "exec gunicorn backend.app:app --bind 0.0.0.0:${PORT} --worker-class backend.serving.gunicorn_worker.RequestReadingWorker --workers 2 --threads 4 --timeout 600 --graceful-timeout 30 --no-control-socket"]
