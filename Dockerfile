# Image for the team-server deployment (docker-compose.yml): the project, its pinned dependencies,
# and the PostgreSQL drivers Airflow's metadata database needs there.
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    AIRFLOW_HOME=/opt/airflow \
    TALENT_WAREHOUSE_DIR=/opt/talent/warehouse

WORKDIR /opt/talent
COPY requirements.lock pyproject.toml README.md ./
RUN pip install --no-cache-dir uv==0.13.8 \
 && uv pip install --system --compile-bytecode --only-binary :all: -r requirements.lock \
      psycopg2-binary==2.9.13 asyncpg==0.32.0
COPY . .
RUN uv pip install --system --no-deps -e .

USER 50000
