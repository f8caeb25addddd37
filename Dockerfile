# Styrning production image: gunicorn serves the app, whitenoise its static files.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1
# WeasyPrint needs Pango; gettext compiles the Swedish translations.
RUN apt-get update \
    && apt-get install -y --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 \
       libharfbuzz0b fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY pyproject.toml README.md ./
COPY styrning styrning
COPY goals goals
COPY budget budget
COPY followup followup
COPY fixtures fixtures
RUN pip install .
COPY . .
RUN DEBUG=1 python manage.py compilemessages -v0 \
    && DEBUG=0 SECRET_KEY=build-only-not-secret-build-only-not-secret-0123456789 \
       python manage.py collectstatic --noinput -v0

RUN useradd --system --home /app styrning && mkdir -p /app/var && chown styrning /app/var
USER styrning
EXPOSE 8000
CMD ["gunicorn", "styrning.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
