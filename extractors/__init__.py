"""Extractors: fetch → parse → normalise → scrub personal data → land raw (contract sections 2 and 7).

Entry points: `extractors.bulletins.extract_bulletins`, `extractors.job_boards.extract_board`,
`extractors.schools.extract_schools`; shared pieces: `extractors.config.load_sources_config`,
`extractors.http.HttpClient`, `extractors.charset.decode_bytes`, `extractors.landing.land` and
`list_landings`, `extractors.privacy.scrub`, `extractors.errors.SourceError`. Plain Python: no
Airflow here, nothing from the pipeline package above (paths are passed in), and nothing knows whether
it is reading the bundled sample site or the real sources."""
