"""Extractors: fetch → parse → normalise → scrub personal data → land raw (contract sections 2 and 7).

Entry points: `extractors.bulletins.extract_bulletins`, `extractors.job_boards.extract_board`,
`extractors.schools.extract_schools`; shared pieces: `extractors.config.load_sources_config`,
`extractors.http.HttpClient`, `extractors.landing.land`, `extractors.privacy.scrub`,
`extractors.errors.SourceError`. Plain Python: no Airflow here, and nothing knows whether it is
reading the bundled sample site or the real sources."""
