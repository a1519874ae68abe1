-- What the stream client tells the gateway about a call (CONTRACT §10.6), so the stream dashboards count resumes and
-- fallbacks from facts instead of inferring them: the reconnect a request is (x-aigw-resume-attempt, NULL when none) and
-- whether it is the client's non-streamed fallback (x-aigw-fallback: non-stream).
ALTER TABLE ai_performance_logs
    ADD COLUMN client_attempt  integer NULL CHECK (client_attempt BETWEEN 0 AND 1000),
    ADD COLUMN client_fallback boolean NOT NULL DEFAULT false;
