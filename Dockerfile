# Messaging hub image: `docker build -t hub .` then `docker run -p 8080:8080 hub`.
# Without HUB_MONGO_URL the hub starts its embedded database (SecantusDB, a child process) in /data;
# docker-compose.yml runs it against MongoDB instead.

# ---- build: install the project and its runtime dependencies into a virtualenv ----
FROM python:3.11-slim AS build

ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH

WORKDIR /src
COPY . .
# Same dependency set as `make run` (the project plus the `embedded` extra), without `dev`.
RUN pip install ".[embedded]"

# ---- runtime ----
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PATH=/opt/venv/bin:$PATH \
    HUB_HOST=0.0.0.0 \
    HUB_PORT=8080 \
    HUB_DATA_DIR=/data

RUN groupadd --system --gid 10001 hub \
    && useradd --system --uid 10001 --gid hub --home-dir /home/hub --create-home --shell /usr/sbin/nologin hub \
    && mkdir -p /data \
    && chown hub:hub /data

COPY --from=build /opt/venv /opt/venv
# Templates live beside the packages in a checkout; an installed image points at its copy.
COPY templates /opt/hub/templates
ENV HUB_TEMPLATES_DIR=/opt/hub/templates

USER hub
WORKDIR /home/hub
VOLUME ["/data"]
EXPOSE 8080

HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; sys.exit(0 if urllib.request.urlopen('http://127.0.0.1:8080/healthz', timeout=4).status == 200 else 1)"]

CMD ["hub", "run", "--demo"]
