-- The monthly rollup: ai_cost_daily summed by UTC calendar month, kept current in the same transaction as each batch.
-- Finance questions asked per month ("what did each org spend per route last month?") read a few thousand rows here
-- instead of summing 30 days of daily rows (128k rows a month at 100 orgs x 11 routes x 4 models: 100+ ms, and
-- growing with orgs and routes). month is the first day of the month; route and model as in ai_cost_daily.
CREATE TABLE ai_cost_monthly (
    month             date           NOT NULL,
    org_id            text           NOT NULL,
    route             text           NOT NULL,
    model             text           NOT NULL,
    requests          bigint         NOT NULL,
    cache_hits        bigint         NOT NULL,
    prompt_tokens     bigint         NOT NULL,
    completion_tokens bigint         NOT NULL,
    cost_usd          numeric(20,10) NOT NULL,
    saved_usd         numeric(20,10) NOT NULL,
    PRIMARY KEY (month, org_id, route, model)
) WITH (fillfactor = 50); -- updated by every batch: room for HOT updates, as ai_cost_daily (0004)

INSERT INTO ai_cost_monthly (month, org_id, route, model, requests, cache_hits, prompt_tokens, completion_tokens, cost_usd, saved_usd)
SELECT date_trunc('month', day)::date, org_id, route, model,
       sum(requests), sum(cache_hits), sum(prompt_tokens), sum(completion_tokens), sum(cost_usd), sum(saved_usd)
FROM ai_cost_daily
GROUP BY 1, 2, 3, 4;
