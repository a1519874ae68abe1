-- As Postgres 0010: the stream client's reconnect number and its non-streamed fallback on each log row.
ALTER TABLE ai_performance_logs ADD COLUMN client_attempt INTEGER NULL CHECK (client_attempt BETWEEN 0 AND 1000);
ALTER TABLE ai_performance_logs ADD COLUMN client_fallback INTEGER NOT NULL DEFAULT 0;
