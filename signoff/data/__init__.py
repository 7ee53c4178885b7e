"""Data-integrity acceptance 数据完整性验收: files in, records stored, files out - every field exact.

- :mod:`signoff.data.plan` - the ``[data]`` section of the plan (seed, sizes, formats, normalisations,
  thresholds, output folder);
- :mod:`signoff.data.dataset` - the seeded generator of organisations and contacts carrying the
  values that break real imports;
- :mod:`signoff.data.formats` - writing and reading CSV (UTF-8 with and without BOM, GB18030,
  semicolons) and XLSX, byte for byte reproducible;
- :mod:`signoff.data.compare` - file → stored → exported, keyed by a stable column, each change
  classified;
- :mod:`signoff.data.report` - ``data-integrity.{html,json}`` and ``summary.json``;
- :mod:`signoff.data.pytest_plugin` - records what the data steps compared, writes the report at the
  end of the run and gates a full run's verdict.

It knows no CRM: importing and exporting go through :mod:`signoff.crm.data`.
"""
