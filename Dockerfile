# Image for the team-server deployment (docker-compose.yml): the whole project baked in (one code
# version for every Airflow component), its locked dependencies (PostgreSQL drivers and the Celery
# provider included), and every path the services write, owned by AIRFLOW_UID in group 0.
FROM python:3.11-slim-bookworm

# The uid the services run as. docker-compose.yml passes AIRFLOW_UID; another uid at run time works
# too, as long as it runs in group 0 (`user: "<uid>:0"`): every written path is group-writable.
ARG AIRFLOW_UID=50000

# USER names the account for getpass (Airflow refuses a uid without a name; a run-time uid other
# than AIRFLOW_UID has no passwd entry). HOME is writable for the tools that cache there.
ENV PYTHONUNBUFFERED=1 \
    AIRFLOW_HOME=/opt/airflow \
    TALENT_AIRFLOW_HOME=/opt/airflow \
    TALENT_WAREHOUSE_DIR=/opt/talent/warehouse \
    HOME=/home/airflow \
    USER=airflow

WORKDIR /opt/talent

# The report's A4 PDF is printed from its HTML by headless Chromium, with CJK fonts for the Chinese
# text (talent/report/pdf.py); a publish without them fails loudly rather than ship no PDF.
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium fonts-noto-cjk \
 && rm -rf /var/lib/apt/lists/*

# Dependencies first, so a code change does not reinstall them. The lock includes the `deploy` extra
# (PostgreSQL drivers, Celery provider) the server needs.
COPY requirements.lock pyproject.toml README.md ./
RUN pip install --no-cache-dir uv==0.13.8 \
 && uv pip install --system --no-cache --compile-bytecode --only-binary :all: -r requirements.lock

# All project code, read-only for the services (owned by root).
COPY config/ config/
COPY dags/ dags/
COPY dbt_project/ dbt_project/
COPY talent/ talent/
COPY extractors/ extractors/
COPY expectations/ expectations/
COPY sample_sources/ sample_sources/
# Editable, so talent.settings.ROOT is /opt/talent and finds dags/, dbt_project/ and config/.
RUN uv pip install --system --no-cache --no-deps -e . \
 && python -m compileall -q config dags talent extractors expectations sample_sources

# Every path the services write: Airflow's home (airflow.cfg, logs, generated UI passwords), the
# warehouse with dbt's target/ and logs/, the Airflow logs `talent` keeps there, the school inbox and
# the forecast cache. Volumes mounted on these start with this ownership; airflow-init re-owns them
# when AIRFLOW_UID differs.
RUN (getent passwd "${AIRFLOW_UID}" >/dev/null \
      || useradd --uid "${AIRFLOW_UID}" --gid 0 --home-dir /home/airflow --no-create-home airflow) \
 && mkdir -p /opt/airflow/logs /opt/airflow/auth \
      /opt/talent/warehouse/dbt/target /opt/talent/warehouse/dbt/logs \
      /opt/talent/warehouse/logs/airflow /opt/talent/warehouse/inbox/schools \
      /opt/talent/warehouse/cache /home/airflow \
 && chown -R "${AIRFLOW_UID}:0" /opt/airflow /opt/talent/warehouse /home/airflow \
 && chmod -R g+rwX /opt/airflow /opt/talent/warehouse /home/airflow

USER ${AIRFLOW_UID}:0
EXPOSE 8080 8765
CMD ["airflow", "version"]
