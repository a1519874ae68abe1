-- As Postgres 0012: a metered call's row says when its answer reported no usage in tokens.
ALTER TABLE ai_performance_logs ADD COLUMN usage_unreported INTEGER NOT NULL DEFAULT 0;
