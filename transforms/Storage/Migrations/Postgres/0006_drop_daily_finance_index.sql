-- A database set up by an earlier build ran 0004_cost_daily_finance_index, a covering index on ai_cost_daily that was
-- then replaced by 0004_cost_daily_hot_updates (half-full pages). The index forbids the HOT updates those pages are
-- for (every rollup upsert would update it too); finance queries by month read ai_cost_monthly instead (0005).
DROP INDEX IF EXISTS ai_cost_daily_day_finance;
