namespace AiGateway.Transforms.Quota;

/// <summary>
/// The Lua of the Redis quota ledger. Every key a script touches is hash-tagged on the call's org
/// (<see cref="RedisBudgetKeys"/>), so one script runs in one Redis Cluster slot. Time is Redis's own (<c>TIME</c>), so
/// instances with skewed clocks share one bucket. A bucket holds <c>level + elapsed × limit / 60 s</c>, at most the limit.
/// </summary>
internal static class RedisQuotaScripts
{
    /// <summary>
    /// Checks every level, then takes the call's share of all of them (a request, its estimated tokens, a concurrency slot,
    /// its estimated spend) — or none. KEYS, five a level: token buckets, in-flight set, the enforced account's tokens, USD
    /// and seeded marker. ARGV: estimated tokens, estimated USD units, call id, slot lease ms, level count; then five a
    /// level: rpm, tpm, max concurrent (0 = none), USD budget units, token budget (-1 = none). Returns
    /// {1, rpm, requests left, ms to full, tpm, tokens left, ms to full} for the tightest limits (-1 where none),
    /// {0, level, kind (0 requests, 1 tokens, 2 concurrency, 3 budget: nothing left), retry-after ms, final (1 when waiting cannot help)},
    /// or {-1, level} when that level's account has not been reconciled with the log yet.
    /// </summary>
    public const string Admit = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local estTokens, estUsd, lease, n = tonumber(ARGV[1]), tonumber(ARGV[2]), tonumber(ARGV[4]), tonumber(ARGV[5])
        local function fill(value, at, cap)
          if not value then return cap end
          local v = tonumber(value) + (now - tonumber(at)) * cap / 60000
          if v > cap then return cap end
          return v
        end
        local requests, tokens = {}, {}
        for i = 0, n - 1 do
          local k, a = 5 * i, 6 + 5 * i
          local rpm, tpm, conc = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
          local usdBudget, tokenBudget = tonumber(ARGV[a + 3]), tonumber(ARGV[a + 4])
          if rpm > 0 or tpm > 0 then
            local h = redis.call('HMGET', KEYS[k + 1], 'r', 'rt', 't', 'tt')
            if rpm > 0 then
              requests[i] = fill(h[1], h[2], rpm)
              if requests[i] < 1 then return {0, i, 0, math.ceil((1 - requests[i]) * 60000 / rpm), 0} end
            end
            if tpm > 0 then
              tokens[i] = fill(h[3], h[4], tpm)
              if tokens[i] < estTokens then
                return {0, i, 1, math.ceil((estTokens - tokens[i]) * 60000 / tpm), estTokens > tpm and 1 or 0}
              end
            end
          end
          if conc > 0 then
            redis.call('ZREMRANGEBYSCORE', KEYS[k + 2], '-inf', now)
            if redis.call('ZCARD', KEYS[k + 2]) >= conc then return {0, i, 2, 1000, 0} end
          end
          if usdBudget >= 0 or tokenBudget >= 0 then
            if redis.call('EXISTS', KEYS[k + 5]) == 0 then return {-1, i} end
            local spentTokens = tonumber(redis.call('GET', KEYS[k + 3]) or '0')
            local spentUsd = tonumber(redis.call('GET', KEYS[k + 4]) or '0')
            -- Admitted while anything is left (then the estimate is reserved): over by one call at most.
            if (tokenBudget >= 0 and spentTokens >= tokenBudget) or (usdBudget >= 0 and spentUsd >= usdBudget) then
              return {0, i, 3, 0, 1}
            end
          end
        end
        local out = {1, -1, -1, -1, -1, -1, -1}
        for i = 0, n - 1 do
          local k, a = 5 * i, 6 + 5 * i
          local rpm, tpm, conc = tonumber(ARGV[a]), tonumber(ARGV[a + 1]), tonumber(ARGV[a + 2])
          if rpm > 0 then
            local left = requests[i] - 1
            redis.call('HSET', KEYS[k + 1], 'r', tostring(left), 'rt', now)
            if out[2] < 0 or left < out[3] then out[2], out[3], out[4] = rpm, math.max(0, left), math.ceil((rpm - left) * 60000 / rpm) end
          end
          if tpm > 0 then
            local left = tokens[i] - estTokens
            redis.call('HSET', KEYS[k + 1], 't', tostring(left), 'tt', now)
            if out[5] < 0 or left < out[6] then out[5], out[6], out[7] = tpm, math.max(0, left), math.ceil((tpm - left) * 60000 / tpm) end
          end
          if rpm > 0 or tpm > 0 then redis.call('PEXPIRE', KEYS[k + 1], 600000) end
          if conc > 0 then
            redis.call('ZADD', KEYS[k + 2], now + lease, ARGV[3])
            redis.call('PEXPIRE', KEYS[k + 2], lease)
          end
          if tonumber(ARGV[a + 3]) >= 0 or tonumber(ARGV[a + 4]) >= 0 then
            redis.call('INCRBY', KEYS[k + 3], estTokens)
            redis.call('INCRBY', KEYS[k + 4], estUsd)
          end
        end
        return out
        """;

    /// <summary>
    /// Ends a call's claim and counts its spend. KEYS: two a level (token buckets, in-flight set), then three an account
    /// (tokens, USD, seeded marker). ARGV: admitted (1/0), estimated tokens, estimated USD units, spent tokens, spent USD
    /// units, call id, level count, account count; then two a level (tpm, max concurrent; 0 = none); then one an account
    /// (1 when its budget reserved the estimate at admission). Counts only reconciled accounts; returns the indexes of
    /// the others, which the caller reconciles and counts.
    /// </summary>
    public const string Settle = """
        local time = redis.call('TIME')
        local now = tonumber(time[1]) * 1000 + math.floor(tonumber(time[2]) / 1000)
        local admitted = ARGV[1] == '1'
        local estTokens, estUsd, spentTokens, spentUsd = tonumber(ARGV[2]), tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
        local n, m = tonumber(ARGV[7]), tonumber(ARGV[8])
        if admitted then
          for i = 0, n - 1 do
            local tpm, conc = tonumber(ARGV[9 + 2 * i]), tonumber(ARGV[10 + 2 * i])
            if tpm > 0 then
              local h = redis.call('HMGET', KEYS[2 * i + 1], 't', 'tt')
              local level = tpm
              if h[1] then level = math.min(tpm, tonumber(h[1]) + (now - tonumber(h[2])) * tpm / 60000) end
              redis.call('HSET', KEYS[2 * i + 1], 't', tostring(level + estTokens - spentTokens), 'tt', now)
            end
            if conc > 0 then redis.call('ZREM', KEYS[2 * i + 2], ARGV[6]) end
          end
        end
        local missing = {}
        for j = 0, m - 1 do
          local k = 2 * n + 3 * j
          local reserved = admitted and ARGV[9 + 2 * n + j] == '1'
          local tokens, usd = spentTokens, spentUsd
          if reserved then tokens, usd = spentTokens - estTokens, spentUsd - estUsd end
          if redis.call('EXISTS', KEYS[k + 3]) == 1 then
            if tokens ~= 0 then redis.call('INCRBY', KEYS[k + 1], tokens) end
            if usd ~= 0 then redis.call('INCRBY', KEYS[k + 2], usd) end
          else
            table.insert(missing, j)
          end
        end
        return missing
        """;

    /// <summary>Adds to a reconciled count only (KEYS: tokens, USD, seeded; ARGV: tokens, USD units); returns 0 when it is not reconciled.</summary>
    public const string Count = """
        if redis.call('EXISTS', KEYS[3]) == 0 then return 0 end
        redis.call('INCRBY', KEYS[1], ARGV[1])
        redis.call('INCRBY', KEYS[2], ARGV[2])
        return 1
        """;

    /// <summary>
    /// Reconciles a count with the log (KEYS: tokens, USD, seeded; ARGV: logged tokens, USD units, expiry Unix ms): the
    /// first seeder wins, and sets (not adds) the counts, which are not trusted without the marker.
    /// </summary>
    public const string Seed = """
        if not redis.call('SET', KEYS[3], '1', 'NX') then return 0 end
        redis.call('SET', KEYS[1], ARGV[1])
        redis.call('SET', KEYS[2], ARGV[2])
        for i = 1, 3 do redis.call('PEXPIREAT', KEYS[i], ARGV[3]) end
        return 1
        """;
}
