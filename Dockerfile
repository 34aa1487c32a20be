# Production image for the web app and the workers (see docker-compose.yml). Not built in CI.
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 HF_HUB_OFFLINE=1 IDEAGRAPH_DATA_DIR=/data
WORKDIR /app
# GPU hosts want the CUDA build of torch; CPU-only hosts can point PIP_EXTRA_INDEX_URL at a CPU
# wheel index. Either way torch is installed before the project so its pin is respected.
ARG TORCH_SPEC=torch==2.13.0
RUN pip install --no-cache-dir "$TORCH_SPEC"
COPY pyproject.toml ./
COPY webapp webapp
COPY ingest ingest
COPY graph graph
COPY ideation ideation
RUN pip install --no-cache-dir -e .
COPY . .
RUN python manage.py collectstatic --no-input -v0
EXPOSE 8000
CMD ["gunicorn", "webapp.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3"]
