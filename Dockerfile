# One image for every role in docker-compose.yml: migrate, web (gunicorn), worker.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY pyproject.toml README.md ./
COPY capture ./capture
COPY crm_core ./crm_core
COPY worker ./worker
COPY embed ./embed
RUN pip install --no-cache-dir . && useradd --system --uid 10001 leadcapture \
    && install -d -o leadcapture /var/lib/leadcapture/files  # UPLOAD_DIR (a volume shared with the workers)
USER leadcapture
EXPOSE 8000
CMD ["gunicorn", "--config", "python:capture.gunicorn_conf", "capture.wsgi:app"]
