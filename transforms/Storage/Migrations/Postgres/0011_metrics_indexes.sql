-- Indexes for the metrics API's log queries (issue 20), chosen from their plans at 10 M log rows over three months
-- (ops/bench/metrics-indexes). Date and org were served already: BRIN on ts (rows arrive in time order) and (org_id, ts).
--
-- Route: a route filter read every row of the range and threw 90 % away ("Rows Removed by Filter"); (route, ts) reads
-- only that route's rows of the range.
CREATE INDEX ai_performance_logs_route_ts ON ai_performance_logs (route, ts);

-- top_expensive (ORDER BY cost_usd DESC, ts DESC, id LIMIT 10) sorted every priced row of the range: 2-5 s over a
-- month or all time. In this order each partition yields its most expensive rows first and the range is a filter on
-- the way; hits and followers (cost 0) and unpriced calls (null) never rank, so they are left out of the index.
CREATE INDEX ai_performance_logs_top_cost ON ai_performance_logs (cost_usd DESC, ts DESC, id) WHERE cost_usd > 0;
